import os
from datetime import datetime
from pathlib import Path

import pytest

from workbench import demo

MILLION_AS_OF = datetime(2026, 11, 23, 9)  # the day the 1M demo is made as of


@pytest.fixture(scope="session")
def million_db(tmp_path_factory):
    """A 1,000,000-lead demo database, built once for the benchmarks that read one; or the
    one $WORKBENCH_BENCH_MILLION_DB names, made the same way (the demo takes over a minute
    to make): the benchmarks that change leads work on a copy."""
    if os.environ.get("WORKBENCH_BENCH_MILLION_DB"):
        return Path(os.environ["WORKBENCH_BENCH_MILLION_DB"])
    path = tmp_path_factory.mktemp("million") / "demo-1m.db"
    demo.create_database(path, leads=1_000_000, seed=1, as_of=MILLION_AS_OF)
    return path
