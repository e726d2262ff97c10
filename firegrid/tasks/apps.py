from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class TasksConfig(AppConfig):
    name = "firegrid.tasks"
    label = "tasks"
    verbose_name = pgettext_lazy("task", "任务")

    def ready(self) -> None:
        # Connects the joint-team task to plan escalations (rectification.signals.plan_moved).
        from . import receivers  # noqa: F401
