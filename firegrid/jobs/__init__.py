"""Background and scheduled jobs: the registry (`job`), the JobRun row that claims and records each run,
the embedded runner and scheduler, and the Celery tasks for production (see docs/architecture.md, Jobs).

    from firegrid.jobs import job

    @job(name="rectification.mark_overdue", schedule="5 0 * * *", label="标记逾期整改")
    def mark_overdue(run, **params): ...

Enqueue with `firegrid.jobs.services.enqueue(name, key=..., params=..., actor=...)`.
"""

from .registry import job

__all__ = ["job"]
