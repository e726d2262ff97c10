"""The job registry: `@job(name=..., schedule=...)` on a plain function `fn(run, **params)`.

Jobs live in a `jobs.py` module of any installed app (found on first use) or in a module named in the
FIREGRID_JOBS_MODULES setting. The function does the work and must be idempotent by design — running
it twice for the same key changes nothing more than running it once; the framework adds the claim
(one run per name and key, see `services`), the row that records it, progress, and the scheduling.

This module imports no models, so `from firegrid.jobs import job` is safe at import time.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise

from .schedule import Cron, ScheduleError

if TYPE_CHECKING:
    from .models import JobRun

NAME_RE = re.compile(
    r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"
)  # "<app>.<what>", e.g. rectification.mark_overdue
DEFAULT_STALE_MINUTES = 10


class UnknownJob(LookupError):
    def __init__(self, name: str):
        super().__init__(f"no job is registered under the name {name!r}")
        self.name = name


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[..., Any]
    schedule: Cron | None
    label: str | Promise  # a lazy translation: shown in the reader's language
    stale_minutes: int | None

    do_not_call_in_templates = True  # a Job is callable; templates read its fields

    @property
    def stale_after(self) -> dt.timedelta:
        """A claimed run without a heartbeat this long is taken to be dead and may be claimed again."""
        return dt.timedelta(minutes=self.stale_minutes) if self.stale_minutes else default_stale_after()

    def __call__(self, run: JobRun, **params: Any) -> Any:
        return self.func(run, **params)


class Registry:
    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._declared: dict[str, Job] = {}
        self._depth = 0  # how many `replaced` blocks are open
        self._discovered = False
        self._lock = threading.Lock()

    def job(
        self,
        name: str,
        *,
        schedule: str | None = None,
        label: str | Promise = "",
        stale_minutes: int | None = None,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Register `fn(run: JobRun, **params)` under `name`; `schedule` is a cron line ("5 0 * * *")
        in Asia/Shanghai time, or None for a job that runs only when enqueued."""
        if not NAME_RE.match(name) or len(name) > 100:
            raise ImproperlyConfigured(
                f"job name {name!r}: use '<app>.<what>' in lower case, e.g. 'rectification.mark_overdue'"
            )
        try:
            cron = Cron.parse(schedule) if schedule else None
        except ScheduleError as exc:
            raise ImproperlyConfigured(f"job {name}: {exc}") from None

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            job = Job(name, func, cron, label or name, stale_minutes)  # label stays lazy
            # Remembered apart from the active set: a module is imported once, so a job declared
            # while a test had the registry replaced must come back when that block ends.
            self._declared[name] = job
            self.register(job)
            return func

        return decorator

    def register(self, job: Job) -> None:
        current = self._jobs.get(job.name)
        if current is not None and _qualname(current.func) != _qualname(job.func):
            raise ImproperlyConfigured(
                f"job name {job.name!r} is taken by {_qualname(current.func)}; {_qualname(job.func)} needs another"
            )
        self._jobs[job.name] = job

    def include(self, other: Registry) -> None:
        for job in other._jobs.values():
            self.register(job)

    def get(self, name: str) -> Job:
        self.discover()
        try:
            return self._jobs[name]
        except KeyError:
            raise UnknownJob(name) from None

    def all(self) -> list[Job]:
        self.discover()
        return sorted(self._jobs.values(), key=lambda j: j.name)

    def scheduled(self) -> list[Job]:
        return [job for job in self.all() if job.schedule is not None]

    def discover(self) -> None:
        """Import every installed app's `jobs` module and FIREGRID_JOBS_MODULES, once."""
        if self._discovered:
            return
        with self._lock:
            if self._discovered:
                return
            from django.utils.module_loading import autodiscover_modules

            autodiscover_modules("jobs")
            for module in getattr(settings, "FIREGRID_JOBS_MODULES", []):
                importlib.import_module(module)
            self._discovered = True

    @contextmanager
    def replaced(self, *registries: Registry) -> Iterator[Registry]:
        """Tests: only the given registries' jobs are registered inside the block (no discovery)."""
        saved = (self._jobs, self._discovered)
        self._jobs, self._discovered = {}, True
        self._depth += 1
        try:
            for other in registries:
                self.include(other)
            yield self
        finally:
            self._depth -= 1
            self._jobs, self._discovered = saved
            if self._depth == 0:
                for name, job in self._declared.items():
                    self._jobs.setdefault(name, job)


def default_stale_after() -> dt.timedelta:
    return dt.timedelta(minutes=getattr(settings, "FIREGRID_JOBS_STALE_MINUTES", DEFAULT_STALE_MINUTES))


def _qualname(func: Callable[..., Any]) -> str:
    return f"{func.__module__}.{func.__qualname__}"


registry = Registry()
job = registry.job
