import pytest

from firegrid.jobs.registry import registry
from firegrid.jobs.testing import celery_worker, shared_db  # noqa: F401  (fixtures)

from .sample_jobs import CALLS, RELEASE, SAMPLES


@pytest.fixture(autouse=True)
def sample_jobs(settings):
    """Only the sample jobs are registered, and jobs run inline unless a test says otherwise."""
    settings.FIREGRID_JOBS_INLINE = True
    settings.FIREGRID_JOBS_BACKEND = "embedded"
    CALLS.clear()
    RELEASE.clear()
    with registry.replaced(SAMPLES):
        yield CALLS
    RELEASE.set()  # a test that failed midway must not leave a thread waiting
