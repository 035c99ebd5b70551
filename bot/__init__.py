"""The organizing bot: one async core that each chat platform's adapter (bot/adapters) translates to and from."""
