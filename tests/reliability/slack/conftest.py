"""The reliability tests that go through the Slack adapter run against the Slack suite's fixtures."""

from tests.slack.conftest import app, fake, front, gate, mode, slack  # noqa: F401 - fixtures, found by name
