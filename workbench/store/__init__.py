"""The store: every query and transaction, over SQLite."""
