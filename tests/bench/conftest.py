from datetime import datetime

import pytest

from workbench import demo


@pytest.fixture(scope="session")
def million_db(tmp_path_factory):
    """A 1,000,000-lead demo database, built once for the benchmarks that read one."""
    path = tmp_path_factory.mktemp("million") / "demo-1m.db"
    demo.create_database(path, leads=1_000_000, seed=1, as_of=datetime(2026, 11, 23, 9))
    return path
