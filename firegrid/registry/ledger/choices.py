from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    """What one ledger sheet registers; each kind has its own columns (`fields.KIND_FIELDS`)."""

    PREMISES = "premises", _("出租户（含建筑、房东）")
    BUILDING = "building", _("建筑")
    ROOM = "room", _("房间")
    LANDLORD = "landlord", _("房东")
    TENANT_HOUSEHOLD = "tenant_household", _("租户")
    # One row feeds every table: building, premises, landlord (four-category, employer unit), the
    # premises' rooms let and residents; columns no field holds are kept on the premises (ledger_extra).
    RENTAL_LEDGER = "rental_ledger", _("出租房屋台账（建筑、出租户、房东一并导入）")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("已上传")
    MAPPED = "mapped", _("已确认对应关系")
    VALIDATING = "validating", _("检查中")
    VALIDATED = "validated", _("已检查")
    COMMITTING = "committing", _("导入中")
    COMMITTED = "committed", _("已导入")
    FAILED = "failed", _("失败")


# A background thread is working on the job: the page polls its progress.
RUNNING_STATES = frozenset({ImportStatus.VALIDATING, ImportStatus.COMMITTING})
# The mapping may still be changed and the file checked again (nothing has been written).
MAPPABLE_STATES = frozenset(
    {ImportStatus.UPLOADED, ImportStatus.MAPPED, ImportStatus.VALIDATED, ImportStatus.FAILED}
)


class ProblemLevel(models.TextChoices):
    ERROR = "error", _("错误")
    WARNING = "warning", _("提醒")
    # A row under the header that is not a record (blank between records, totals, sign-off): listed with
    # its number so the officer sees what was left out; neither an error nor a warning.
    SKIPPED = "skipped", _("已跳过")
