"""Imports every table so ``SQLModel.metadata`` is complete (for migrations and member merges)."""

from storage import chants, jobs, members, outbox  # noqa: F401

from sqlmodel import SQLModel

metadata = SQLModel.metadata
