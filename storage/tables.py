"""Imports every table so ``SQLModel.metadata`` is complete (for migrations and member merges)."""

from sqlmodel import SQLModel

from storage import actions, assessments, audit, bargaining, chants, jobs, members, outbox, readiness  # noqa: F401

metadata = SQLModel.metadata
