"""`python -m workbench.cli`: the headless command without the window."""

import sys

from workbench.cli import main

if __name__ == "__main__":  # not when a tool walks the package
    sys.exit(main())
