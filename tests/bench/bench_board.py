"""The board on a 1,000,000-lead database: time to a painted window (warm, and cold: caches
dropped where the machine allows it, else a fresh copy of the file), the next window of
cards, fifty search keystrokes, a triage action and memory; each beside raw sqlite3 running
the same SQL (for triage: the move itself; for the cold start: a new Python process running
them from the same cold caches).

Each keystroke is read after another connection's commit, so nothing is served from the
search cache. Targets: shown under 0.6 s warm and 1.2 s cold; a triage action through to the
next lead shown under 16 ms (one frame); keystrokes under 16 ms at the median and 35 ms at
the 95th percentile; the next window under 30 ms; memory under 200 MB.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from tests.bench.conftest import MILLION_AS_OF

ROOT = Path(__file__).parents[2]


def probe(database: Path) -> dict:
    """The window on the demo's own day: its scores are current, so no daily rescore runs
    beside what is measured (on any other day one would, and the figures would depend on
    the date the benchmark runs)."""
    on_the_demos_day = {**os.environ, "WORKBENCH_NOW": f"{MILLION_AS_OF:%Y-%m-%d}T12:00"}
    result = subprocess.run([sys.executable, "-m", "tests.bench.window_probe", str(database)],
                            capture_output=True, text=True, timeout=900, cwd=ROOT,
                            env=on_the_demos_day)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def raw_start(database: Path, statements: list[str], folder: Path) -> float:
    """Raw sqlite3 in a new process running the statements the window ran at start."""
    listed = folder / "startup.json"
    listed.write_text(json.dumps(statements), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "tests.bench.raw_start", str(database),
                             str(listed)], capture_output=True, text=True, timeout=300,
                            cwd=ROOT, check=True)
    return float(result.stdout)


def drop_caches() -> bool:
    """Boot-like cold caches (the file, Python's and Qt's libraries all read from disk
    again), where this machine allows it."""
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


def line(label, app_ms, raw_ms, target_ms, detail=""):
    print(f"  {label:<34}{app_ms:8.1f} ms   raw SQL {raw_ms:7.1f} ms   ratio "
          f"{app_ms / raw_ms if raw_ms else float('nan'):5.1f}x   target < {target_ms} ms"
          f"   {detail}")
    return app_ms < target_ms


def test_board_at_a_million_leads(million_db, tmp_path):
    fresh = tmp_path / "fresh-copy.db"  # its pages are not in the window's caches
    shutil.copy(million_db, fresh)
    cold_caches = drop_caches()
    cold = probe(fresh)
    if cold_caches:  # the baseline starts as cold as the window did
        drop_caches()
        cold["shown"]["raw"] = raw_start(fresh, cold["startup_sql"], tmp_path)
    probe(million_db)  # the caches are cold still (dropped above): this start warms them
    figures = probe(million_db)  # warm

    def timed(label, figure, target_ms):
        return line(label, figure["app"] * 1000, figure["raw"] * 1000, target_ms,
                    f"({figure['statements']} statements)")

    parts = ", ".join(f"{name} {seconds * 1000:.0f} ms"
                      for name, seconds in figures["start_parts"].items())
    print(f"\n[board, 1,000,000 leads]\n  start, warm: {parts}")
    ok = [timed("window shown and painted, warm", figures["shown"], 600),
          timed("shown from cold caches" if cold_caches else "shown from a fresh copy",
                cold["shown"], 1200),
          timed("next window of 200 cards", figures["next_window"], 30),
          timed("triage: accept, next lead shown", figures["triage"], 16)]
    triage = figures["triage"]
    print(f"  {'':<34}(GUI thread CPU {triage['cpu'] * 1000:.1f} ms, slowest "
          f"{triage['slowest'] * 1000:.1f} ms, load average {triage['load']:.1f})")
    searches = figures["search"]
    app = sorted(run["app"] * 1000 for run in searches.values())
    raw = sorted(run["raw"] * 1000 for run in searches.values())
    p95 = app[round(0.95 * (len(app) - 1))]
    slowest = max(searches, key=lambda text: searches[text]["app"])
    ok.append(line(f"search keystroke, median of {len(app)}", statistics.median(app),
                   statistics.median(raw), 16))
    ok.append(line("search keystroke, 95th percentile", p95,
                   raw[round(0.95 * (len(raw) - 1))], 35,
                   f"(slowest {slowest!r} {searches[slowest]['app'] * 1000:.1f} ms)"))
    print(f"  resident memory after paint  {figures['rss_mb']:.0f} MB, after the searches "
          f"{figures['rss_after_mb']:.0f} MB   target < 200 MB")
    ok.append(figures["rss_after_mb"] < 200)
    assert all(ok)
