from django.db import models
from django.utils.translation import gettext_lazy as _


class QueueKind(models.TextChoices):
    """Why a premises is in today's work queue (今日任务). The order is the priority: when a premises has
    several reasons, the first one decides the inspection to start and the others are shown beside it."""

    RECHECK_REQUESTED = "recheck_requested", _("房东申请复查")
    RETURN_VISIT = "return_visit", _("待回访")
    OVERDUE = "overdue", _("逾期复查")
    DUE = "due", _("今日到期复查")


KIND_PRIORITY: dict[str, int] = {kind.value: i for i, kind in enumerate(QueueKind)}
