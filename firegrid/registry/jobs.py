"""The registry's background jobs: a ledger import's check or commit (台账导入).

Run by the jobs app like every other job — on a Celery worker with REDIS_URL, in a thread of the web
process otherwise, inside the request for a small file — and enqueued by `ledger.services` once the
ImportJob is claimed. Idempotent: a run whose claim is gone (retried, delivered twice, or restarted by
the user after it was taken for dead) does nothing (ledger/runner.py).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from firegrid.jobs import job
from firegrid.jobs.models import JobRun

from .ledger import runner
from .ledger.services import LEDGER_JOB


# The import's own claim decides whether a run may work; a run silent this long is taken for dead (a long
# commit on SQLite holds the database, so even the heartbeat waits for it).
@job(LEDGER_JOB, label=gettext_lazy("台账导入"), stale_minutes=30)
def ledger_run(run: JobRun, *, import_job: int, action: str, actor: int, claimed_at: str) -> dict[str, Any]:
    """Check (`action="validate"`) or commit (`"commit"`) the ledger of ImportJob `import_job`."""
    return runner.execute(run, import_job=import_job, action=action, actor=actor, claimed_at=claimed_at)
