"""The bundle's entry point: the `workbench` program as PyInstaller freezes it."""

import multiprocessing
import sys

if __name__ == "__main__":
    # A spawned worker (the rescore's, the import's helper) starts this executable again:
    # freeze_support runs the worker there and exits, before the window is imported.
    multiprocessing.freeze_support()
    from ui.main import main

    sys.exit(main())
