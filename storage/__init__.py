"""Storage: SQLModel tables, the one session pattern (:class:`storage.db.Database`), queries and migrations."""
