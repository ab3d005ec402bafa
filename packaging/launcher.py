"""The frozen program's entry point: the same ``main`` the ``pgplanner`` console script runs.

PyInstaller runs its script as ``__main__`` outside any package, so pgplanner/__main__.py (which uses a
relative import) cannot serve.
"""

import sys

from pgplanner.cli import main

sys.exit(main())
