"""Shared test set-up: Qt runs offscreen so the suite works on machines without a display."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
