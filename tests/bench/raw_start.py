"""Run in its own process by bench_board.py, from the same cold caches as the window: raw
sqlite3 running the statements the window ran to show itself, timed from the process's
first line as the window probe times the window (a Python process and the sqlite3 module
to load, the file's pages to read)."""

import time

STARTED = time.perf_counter()

import json  # noqa: E402
import sqlite3  # noqa: E402
import sys  # noqa: E402


def main(path: str, statements_file: str) -> None:
    with open(statements_file, encoding="utf-8") as f:
        statements = json.load(f)
    with sqlite3.connect(path) as conn:
        for sql in statements:
            conn.execute(sql).fetchall()
    print(time.perf_counter() - STARTED)


if __name__ == "__main__":
    main(*sys.argv[1:])
