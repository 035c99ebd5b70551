"""Imports every table so ``SQLModel.metadata`` is complete (for migrations and member merges)."""

from sqlmodel import SQLModel

from storage import (  # noqa: F401
    actions,
    assessments,
    audit,
    bargaining,
    bargaining_versions,
    captains,
    chants,
    claims,
    conversations,
    homes,
    invites,
    jobs,
    links,
    listings,
    members,
    onboarding,
    outbox,
    picket,
    pledges,
    readiness,
    shifts,
    structure,
    unreached,
)

metadata = SQLModel.metadata
