"""Databases the store's tests share."""

from datetime import datetime

import pytest

from workbench import demo

MONTHS_AGO = datetime(2026, 10, 1, 9, 0)


@pytest.fixture(scope="module")
def old_demo(tmp_path_factory):
    """A demo made two months before the suite's day, never opened since: its rescore
    changes most scores."""
    path = tmp_path_factory.mktemp("old") / "old.db"
    demo.create_database(path, leads=400, seed=3, as_of=MONTHS_AGO)
    return path
