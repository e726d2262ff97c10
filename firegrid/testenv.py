"""Loaded by pytest (`-p firegrid.testenv`) before Django starts: tests use the development defaults."""

import os

os.environ.setdefault("FIREGRID_DEV", "true")
os.environ.setdefault("FIREGRID_FAST_HASHER", "true")
# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make around it
# are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# Documents render on first download in tests; the PDF tests render them on purpose.
os.environ.setdefault("FIREGRID_RENDER_ON_ISSUE", "false")
# Jobs run in the caller: a test's transaction is never committed, so an after-commit dispatch never fires.
os.environ.setdefault("FIREGRID_JOBS_INLINE", "true")
