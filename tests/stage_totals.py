"""The stage totals the triggers keep, against a count of the leads."""

import sqlite3
from contextlib import closing
from pathlib import Path

from workbench.store.leads import Store


def assert_totals_exact(where: Store | Path) -> None:
    """The stage totals equal a GROUP BY of the leads (an emptied stage keeps a row of
    zeros)."""
    path = where.path if isinstance(where, Store) else where
    with closing(sqlite3.connect(path)) as conn:
        totals = conn.execute("SELECT stage, leads, score_sum FROM stage_totals "
                              "WHERE leads <> 0 OR score_sum <> 0 ORDER BY stage").fetchall()
        counted = conn.execute("SELECT stage, count(*), sum(score) FROM leads "
                               "GROUP BY stage ORDER BY stage").fetchall()
    assert totals == counted
