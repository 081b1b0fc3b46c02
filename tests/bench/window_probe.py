"""Run in its own process by bench_board.py: opens the window on a database and times
what a rep waits for, each beside raw sqlite3 running the same statements the app ran.

The start is split into its parts (imports, opening the database, building the window,
showing and painting it) so a slow start says where it goes."""

import compileall
import gc
import json
import os
import sqlite3
import sys
import time
from pathlib import Path

from tests.bench.window_use import act_as_a_manager, resident_mb

# A rep's start reads the code as bytecode (a wheel's install and the bundle carry it, and
# Python writes it at a first start). Where PYTHONDONTWRITEBYTECODE is set, as on the
# project's machines, every start would compile the workbench's modules again (0.8 G
# instructions, a fifth of the start): they are compiled once, before the clock starts.
for package in ("ui", "workbench"):
    compileall.compile_dir(Path(__file__).parents[2] / package, quiet=1)

STARTED = time.perf_counter()
os.environ["QT_QPA_PLATFORM"] = "offscreen"

# The start as the `workbench` program makes it (ui.main): its command line read first,
# then the window's modules, each with the collector paused.
import ui.main  # noqa: E402

gc.disable()
from workbench import cli  # noqa: E402

ui.main.collect_from_now()
cli.build_parser().parse_args(["--db", sys.argv[-1]])
gc.disable()

from sqlalchemy import event  # noqa: E402

from ui.app import application  # noqa: E402
from ui.views.main_window import MainWindow  # noqa: E402
from workbench.rules.stages import Stage  # noqa: E402
from workbench.store.leads import Store  # noqa: E402

IMPORTED = time.perf_counter()

# Fifty searches a rep types: one- to three-letter prefixes, whole common and rare names,
# companies, two words, an email, and text that matches nothing.
QUERIES = (
    "m", "mu", "mül", "müller", "a", "an", "ann", "anna", "s", "sm", "smith", "k", "ko",
    "kowalski", "north", "northwind", "northwind log", "bluepeak", "summit", "quantum",
    "cedar harbor", "atlas", "falcon", "ironclad", "robotics", "logistics", "pharma",
    "anna smith", "david wolf", "elena", "priya", "kenji", "zoe", "xenia", "yusuf",
    "hoffmann", "nguyen", "tanaka", "rossi", "silva", "garcia", "cfo", "head of",
    "vp sales", "gmail", "anna.smith", "zz", "qxj", "0", "müller summit",
)

captured: list[tuple[str, tuple]] = []


def capture(statement: str) -> None:
    text = statement.lstrip().upper()
    # reads, and the temporary tables a read fills first (the customers a fit score reads)
    if text.startswith(("SELECT", "WITH")) or "TEMP TABLE" in text or " TEMP." in text:
        captured.append((statement, ()))


def trace_reads(engine) -> None:
    """Capture every read the app makes, through SQLAlchemy or SQLite's driver alike: SQLite
    traces each statement as it runs, its values in place."""
    event.listen(engine, "connect",
                 lambda connection, _record: connection.set_trace_callback(capture))
    engine.dispose()  # the connections opened before are opened again, traced


def replay(path, statements) -> float:
    """Raw sqlite3 running the same statements, best of three."""
    with sqlite3.connect(path) as conn:
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            for sql, params in statements:
                conn.execute(sql, params).fetchall()
            best = min(best, time.perf_counter() - started)
    return best


def raw_accept(path, lead_id) -> float:
    """Raw sqlite3 doing the move itself: the stage update and its audit row, one commit;
    rolled back, so the next lead is still an MQL for the window."""
    with sqlite3.connect(path, isolation_level=None) as conn:
        conn.execute("PRAGMA synchronous = FULL")
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE leads SET stage = 'sal' WHERE id = ?", (lead_id,))
        conn.execute("INSERT INTO stage_changes (lead_id, from_stage, to_stage, changed_at) "
                     "VALUES (?, 'mql', 'sal', '2026-11-23 09:00:00.000000')", (lead_id,))
        elapsed = time.perf_counter() - started
        conn.execute("ROLLBACK")
    return elapsed


def measure(path, action, repeat=1):
    captured.clear()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    statements = captured[: len(captured) // repeat]
    return {"app": sorted(times)[len(times) // 2], "raw": replay(path, statements),
            "statements": len(statements)}


def main(path):
    app = application()
    store = Store.open(path)
    opened = time.perf_counter()
    trace_reads(store.engine)
    window = MainWindow(store)
    window.resize(1440, 900)
    built = time.perf_counter()
    window.show()
    window.cards.focus_cards()  # as ui.app.run does: the first card's lead fills the pane
    ui.main.collect_from_now()  # and once the window is shown
    app.processEvents()
    window.grab()  # the board is painted
    painted = time.perf_counter()
    startup_statements = list(captured)
    act_as_a_manager(window)
    rss_mb = resident_mb()
    result = {"shown": {"app": painted - STARTED, "raw": replay(path, startup_statements),
                        "statements": len(startup_statements)}, "rss_mb": rss_mb,
              "startup_sql": [sql for sql, _params in startup_statements],
              "start_parts": {"imports": IMPORTED - STARTED, "open": opened - IMPORTED,
                              "build": built - opened, "show_and_paint": painted - built}}

    lead_column = window.board.columns[Stage.MQL].model
    result["next_window"] = measure(path, lead_column.fetchMore, repeat=10)

    def keystroke(text):
        def type_and_wait():
            window.filters.search.setText(text)
            window.filters.flush()
        return type_and_wait

    def another_process_writes():
        # a commit elsewhere changes PRAGMA data_version, so the search is read afresh
        # (an update to the same value is no change to SQLite: this one changes and restores)
        with sqlite3.connect(path) as other:
            other.execute("UPDATE users SET name = name || '~' WHERE id = 1")
        with sqlite3.connect(path) as other:
            other.execute("UPDATE users SET name = rtrim(name, '~') WHERE id = 1")

    searches = {}
    for text in QUERIES:
        window.filters.search.setText("")
        window.filters.flush()
        another_process_writes()
        searches[text] = measure(path, keystroke(text))
    result["search"] = searches

    # triage: accept the first MQL (it moves to SAL) until the next lead is shown
    window.filters.search.setText("")
    window.filters.flush()
    mql = window.board.columns[Stage.MQL]
    times, cpu_times, raw_times = [], [], []
    for _ in range(21):
        window.board.focus_first_card()
        lead_id = window.board.current_lead()
        started, cpu_started = time.perf_counter(), time.thread_time()
        window.triage.accept_current()
        app.processEvents()
        times.append(time.perf_counter() - started)
        # the GUI thread's own work: on a loaded machine the wall time is mostly waiting
        cpu_times.append(time.thread_time() - cpu_started)
        assert window.store.lead(lead_id).stage == Stage.SAL
        assert window.detail.lead_id == mql.model.card(0).id
        raw_times.append(raw_accept(path, mql.model.card(1).id))
    result["triage"] = {"app": sorted(times)[10], "raw": sorted(raw_times)[10], "statements": 2,
                        "slowest": max(times), "cpu": sorted(cpu_times)[10],
                        "load": os.getloadavg()[0]}
    result["rss_after_mb"] = resident_mb()
    print(json.dumps(result))
    window.close()
    store.close()


if __name__ == "__main__":
    main(sys.argv[1])
