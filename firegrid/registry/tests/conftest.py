"""Fixtures of the jobs app for the ledger's job tests (a database other processes see, a Celery worker)."""

from firegrid.jobs.testing import celery_worker, shared_db  # noqa: F401  (fixtures)
