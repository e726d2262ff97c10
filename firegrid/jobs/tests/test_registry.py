"""The job registry: names, schedules, one function per name, discovery, isolation for tests."""

import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from firegrid.jobs.registry import Registry, UnknownJob, registry


def noop(run, **params):
    return None


def other(run, **params):
    return None


def test_a_job_is_registered_with_its_schedule_and_label():
    jobs = Registry()
    decorated = jobs.job("rectification.mark_overdue", schedule="5 0 * * *", label="标记逾期")(noop)
    assert decorated is noop  # the function stays callable as it was
    job = jobs.get("rectification.mark_overdue")
    assert job.func is noop and str(job.schedule) == "5 0 * * *" and job.label == "标记逾期"
    assert jobs.scheduled() == [job]
    jobs.job("rectification.print_documents")(other)
    assert [j.name for j in jobs.all()] == ["rectification.mark_overdue", "rectification.print_documents"]
    assert jobs.get("rectification.print_documents").label == "rectification.print_documents"
    assert [j.name for j in jobs.scheduled()] == ["rectification.mark_overdue"]


@pytest.mark.parametrize(
    "name", ["mark_overdue", "Rectification.Mark", "rectification.", "a b.c", "x." + "y" * 100]
)
def test_names_are_app_dot_what(name):
    with pytest.raises(ImproperlyConfigured, match="job name"):
        Registry().job(name)


def test_a_bad_schedule_names_the_job():
    with pytest.raises(ImproperlyConfigured, match=r"job a\.b: hour: '25' is outside 0-23"):
        Registry().job("a.b", schedule="0 25 * * *")


def test_one_function_per_name():
    jobs = Registry()
    jobs.job("a.b")(noop)
    jobs.job("a.b")(noop)  # the same function again (a module imported twice): fine
    with pytest.raises(ImproperlyConfigured, match="is taken by"):
        jobs.job("a.b")(other)


def test_unknown_job():
    with pytest.raises(UnknownJob, match=r"no job is registered under the name 'a\.nope'"):
        Registry().get("a.nope")


def test_discovery_imports_the_extra_modules(settings):
    settings.FIREGRID_JOBS_MODULES = ["firegrid.jobs.tests.worker_jobs"]
    sys.modules.pop("firegrid.jobs.tests.worker_jobs", None)
    try:
        with registry.replaced():
            registry._discovered = False  # as in a fresh process
            assert "tests.daily" not in registry._jobs
            names = [job.name for job in registry.all()]  # discovers first
        assert "tests.daily" in names and "tests.record" in names
    finally:
        sys.modules.pop("firegrid.jobs.tests.worker_jobs", None)


def test_replaced_isolates_and_restores():
    own = Registry()
    own.job("own.job")(noop)
    before = [j.name for j in registry.all()]
    with registry.replaced(own):
        assert [j.name for j in registry.all()] == ["own.job"]
    assert [j.name for j in registry.all()] == before
