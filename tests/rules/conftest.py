"""The pure rules, tested without a database: a test here that opens SQLite fails."""

import sqlite3

import pytest


@pytest.fixture(autouse=True)
def no_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args, **_kwargs):
        raise AssertionError("a rules test opened SQLite")

    monkeypatch.setattr(sqlite3, "connect", refuse)
