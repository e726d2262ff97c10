from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "firegrid.jobs"
    label = "jobs"
    verbose_name = _("后台任务")

    def ready(self) -> None:
        from . import scheduler

        # The embedded scheduler runs in the development server (and, with FIREGRID_SCHEDULER=embedded,
        # in every web process); never in tests, management commands or Celery processes.
        if scheduler.should_start():
            scheduler.start()
