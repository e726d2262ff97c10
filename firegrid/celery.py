"""The Celery app, for production with Redis (REDIS_URL): `celery -A firegrid worker` runs job runs,
`celery -A firegrid beat` sends the scheduled ones.

Configuration comes from Django's settings (CELERY_*, read from the environment in settings.py); the
time zone is the site's, so "5 0 * * *" means 00:05 in Asia/Shanghai. Beat gets one entry per scheduled
job (from the job registry) that asks a worker for that job's due run, and a catch-up entry every ten
minutes that asks for every due run: a slot missed while beat or the workers were down runs later the
same day. Both claim each run by inserting its row, so a duplicate entry or a second beat runs nothing
twice (firegrid/jobs/services.py).
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firegrid.settings")

RUN_DUE_TASK = "firegrid.jobs.run_due"
CATCH_UP_SECONDS = 600

app = Celery("firegrid", include=["firegrid.jobs.tasks"])
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.on_after_configure.connect
def _on_configure(sender: Celery, **kwargs) -> None:
    from django.apps import apps

    if not apps.ready:  # beat and workers load Django here; the web process has already
        import django

        django.setup()
    add_schedule(sender)


def add_schedule(celery_app: Celery) -> None:
    """Beat entries: one per scheduled job of the registry, and the catch-up."""
    from firegrid.jobs.registry import registry

    for job in registry.scheduled():
        assert job.schedule is not None  # scheduled() lists only jobs with a schedule
        celery_app.add_periodic_task(
            crontab(**job.schedule.celery_fields()),
            celery_app.signature(RUN_DUE_TASK, kwargs={"names": [job.name]}),
            name=job.name,
        )
    celery_app.add_periodic_task(
        CATCH_UP_SECONDS, celery_app.signature(RUN_DUE_TASK), name="firegrid.jobs.catch_up"
    )
