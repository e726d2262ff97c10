"""Celery tasks: thin wrappers over `services` (the claim and the record live in the JobRun row, so
Celery's own result is not kept)."""

from firegrid.celery import app


@app.task(name="firegrid.jobs.run", ignore_result=True)
def run(run_id: int) -> None:
    """Execute one run; a duplicate delivery finds it claimed and does nothing."""
    from .services import execute

    execute(run_id)


@app.task(name="firegrid.jobs.run_due", ignore_result=True)
def run_due(names: list[str] | None = None) -> None:
    """Claim the due scheduled runs and send each to the workers as its own `firegrid.jobs.run`."""
    from .services import run_due as claim_due

    claim_due(names=names, dispatch=True)
