"""Imports every table so ``SQLModel.metadata`` is complete (for migrations and member merges)."""

from storage import actions, assessments, audit, bargaining, chants, jobs, members, outbox, readiness  # noqa: F401

from sqlmodel import SQLModel

metadata = SQLModel.metadata
