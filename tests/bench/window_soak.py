"""Run in its own process by bench_window_memory.py: a rep's hour in the window, compressed
(triage with undo, searches, the queue and the reports, a rescore), with the resident
memory read as it goes, so a leak shows as growth after the first rounds."""

import gc
import json
import os
import sys
import time
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"

from tests.bench.window_use import act_as_a_manager, resident_mb  # noqa: E402
from ui.app import application  # noqa: E402
from ui.views.main_window import MainWindow  # noqa: E402
from workbench.rules.stages import Stage  # noqa: E402
from workbench.store.leads import Store  # noqa: E402

# A rep's hour: about one triage decision a minute and a few searches between them,
# done faster than a person would; the figures that matter are the memory's.
ROUNDS = 60
SEARCHES = ("mü", "müller", "north", "northwind log", "zz", "anna", "acme", "")


def wait_until(app, done, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not finish in time")
        app.processEvents()
        time.sleep(0.01)


def one_round(app, window, round_number: int) -> None:
    window.show_view(window.board)
    window.board.focus_first_card()
    lead_id = window.board.current_lead()
    window.triage.accept_current()
    app.processEvents()
    assert window.store.lead(lead_id).stage == Stage.SAL, "the accept was refused"
    window.triage.undo_last_move()  # the board stays the same from round to round
    app.processEvents()
    for text in SEARCHES:
        window.filters.search.setText(text)
        window.filters.flush()
        app.processEvents()
    window.show_view(window.queue)
    app.processEvents()
    if round_number % 10 == 0:
        window.show_view(window.reports)
        wait_until(app, lambda: not window.operations.running(), 300)
        app.processEvents()


def main(path: str) -> None:
    app = application()
    store = Store.open(Path(path))
    window = MainWindow(store)
    window.resize(1440, 900)
    window.show()
    app.processEvents()
    window.grab()
    wait_until(app, lambda: not window.operations.running(), 600)  # the day's scores
    act_as_a_manager(window)
    shown_mb = resident_mb()
    samples = []
    started = time.perf_counter()
    for round_number in range(ROUNDS):
        one_round(app, window, round_number)
        if round_number == ROUNDS // 2:
            window.scores.rescore_all()
            wait_until(app, lambda: not window.operations.running(), 900)
        gc.collect()
        samples.append(resident_mb())
    elapsed = time.perf_counter() - started
    half = ROUNDS // 2
    print(json.dumps({"shown_mb": shown_mb, "after_mb": samples[-1], "peak_mb": max(samples),
                      "second_half_growth_mb": samples[-1] - samples[half + 1],
                      "rounds": ROUNDS, "seconds": elapsed,
                      "samples_mb": [round(sample, 1) for sample in samples]}))
    window.close()
    store.close()


if __name__ == "__main__":
    main(sys.argv[1])
