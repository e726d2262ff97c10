from django.db import models
from django.utils.translation import gettext_lazy as _


class QueueKind(models.TextChoices):
    """Why a premises is in today's work queue (今日任务). The order is the priority: when a premises has
    several reasons, the first one decides the inspection to start and the others are shown beside it."""

    RECHECK_REQUESTED = "recheck_requested", _("房东申请复查")
    # A sensor's alarm waiting to be checked at the door (firegrid.monitoring: an open alert case).
    ALARM = "alarm", _("报警待核查")
    # An alarm found something (e-bike charging indoors, an electrical fault, a fire): the premises waits
    # for an inspection, whose failed items open the hazards (firegrid.monitoring).
    ALARM_FOLLOW_UP = "alarm_follow_up", _("报警后待检查")
    RETURN_VISIT = "return_visit", _("待回访")
    OVERDUE = "overdue", _("逾期复查")
    DUE = "due", _("今日到期复查")
    VERIFICATION = "verification", _("自查抽检核实")
    TENANT_MOVE = "tenant_move", _("租户变动待核实")
    PATROL_FINDING = "patrol_finding", _("巡查发现待处理")
    TO_VERIFY = "to_verify", _("台账导入待核实")


KIND_PRIORITY: dict[str, int] = {kind.value: i for i, kind in enumerate(QueueKind)}


class SelfInspectionStatus(models.TextChoices):
    """Where a landlord's monthly self-inspection (房东自查) stands: submitted, then — if drawn for
    verification and visited — verified (the visit found nothing the landlord declared fine) or
    contradicted (an item declared fine failed at the visit)."""

    SUBMITTED = "submitted", _("已提交")
    VERIFIED = "verified", _("核实相符")
    CONTRADICTED = "contradicted", _("核实不符")


class SelfCheckResult(models.TextChoices):
    """A landlord's answer to one self-check item: only yes or no (no "not applicable": the list holds
    the items that apply to the premises)."""

    PASS = "pass", _("符合")
    FAIL = "fail", _("不符合")


class OwedState(models.TextChoices):
    """Where a premises stands on a period's self-inspection, as the owed list (应自查) filters it. Blank
    is every premises that owes one; `no_account` lists premises in use that owe none because their
    landlord has no portal account (they cannot self-inspect)."""

    SUBMITTED = "submitted", _("已提交")
    NOT_SUBMITTED = "not_submitted", _("未提交")
    MISSED = "missed", _("逾期未自查")
    NO_ACCOUNT = "no_account", _("房东未开通账号")
