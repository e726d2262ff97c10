"""Imported by the Celery worker the tests start (FIREGRID_JOBS_MODULES): the sample jobs, registered."""

from firegrid.jobs.registry import registry

from .sample_jobs import SAMPLES

registry.include(SAMPLES)
