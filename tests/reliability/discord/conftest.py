"""The reliability tests that go through the Discord adapter run against the Discord suite's fixtures."""

from tests.discord.conftest import app, client, fake, platforms  # noqa: F401 - fixtures, found by name
