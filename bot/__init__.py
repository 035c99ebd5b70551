"""The organizing bot: one async core that console, Slack and Discord translate to and from."""
