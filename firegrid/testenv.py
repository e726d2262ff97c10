"""Loaded by pytest (`-p firegrid.testenv`) before Django starts: tests use the development defaults."""

import os

os.environ.setdefault("FIREGRID_DEV", "true")
os.environ.setdefault("FIREGRID_FAST_HASHER", "true")
