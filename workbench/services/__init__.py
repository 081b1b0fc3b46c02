"""Use cases: the only way to change data."""
