"""The ledger import's records (台账导入): an import job and the column mappings saved for reuse.
The import itself is `firegrid.registry.ledger` (services, runner, kinds)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firegrid.areas.choices import Role
from firegrid.areas.models import Area, User

from .choices import ImportKind, ImportStatus

# The answer to an ID number held by a landlord the user may not see, wherever a landlord is registered
# or linked by ID number (forms, API, ledger import): not the uniqueness message, which would confirm the
# person is a landlord, and nothing about who it is.


# --- Ledger import (台账导入): see firegrid/registry/ledger/ --------------------------------------------


class ImportJobQuerySet(models.QuerySet["ImportJob"]):
    def for_user(self, user: User | AnonymousUser) -> ImportJobQuerySet:
        """A user's own import jobs (the uploaded ledger is theirs); a system admin sees every job."""
        if not isinstance(user, User):
            return self.none()
        if user.is_superuser or user.role == Role.SYSTEM_ADMIN:
            return self.all()
        return self.filter(created_by=user)


def _import_upload_to(job: ImportJob, filename: str) -> str:
    # The stored name is ours (the original name is kept in `original_name`): no user text in paths.
    suffix = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
    return f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class ImportJob(models.Model):
    """One uploaded ledger (台账) on its way into the registry: its column mapping, the dry-run report,
    and — once committed — how many records it created and updated. Jobs run in the background; the
    job page shows their progress."""

    kind = models.CharField(_("台账类型"), max_length=24, choices=ImportKind.choices)
    file = models.FileField(_("文件"), upload_to=_import_upload_to, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    format = models.CharField(_("格式"), max_length=8)  # xlsx or csv, recognised by content
    encoding = models.CharField(_("编码"), max_length=16, blank=True)  # csv only: utf-8-sig or gb18030
    sheet_name = models.CharField(_("工作表"), max_length=64, blank=True)
    header_row = models.PositiveIntegerField(_("表头行"), default=1)
    header_rows = models.PositiveSmallIntegerField(_("表头行数"), default=1)
    headers = models.JSONField(_("表头"), default=list, blank=True)
    samples = models.JSONField(_("样例值"), default=list, blank=True)  # per column, masked, for display
    signature = models.CharField(_("表头特征"), max_length=40, blank=True)
    # {"columns": {"<column index>": "<field key>"}, "reasons": {...}, "default_grid": <area id>}
    mapping = models.JSONField(_("列对应关系"), default=dict, blank=True)
    # The area the import is limited to (the command's --area, the API's `area`, the upload form's choice):
    # a row whose grid lies outside it is an error on that row even inside the user's scope, so a script
    # importing twenty communities' ledgers cannot put one community's rows in another. Null: the whole
    # scope. PROTECT: a limit must never silently widen to the whole scope.
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("导入区域"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    message = models.TextField(_("说明"), blank=True)
    progress_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    progress_total = models.PositiveIntegerField(_("总行数"), default=0)
    # {"premises": {"created": n, "updated": n, "unchanged": n}, "building": {...}, ...}
    counts = models.JSONField(_("数量"), default=dict, blank=True)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    warning_count = models.PositiveIntegerField(_("提醒数"), default=0)
    report = models.JSONField(_("问题（前若干条）"), default=list, blank=True)
    problems_file = models.FileField(
        _("全部问题"), upload_to="imports/problems/%Y/%m/", blank=True, max_length=200
    )
    committed = models.BooleanField(_("已写入"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="import_jobs",
        verbose_name=_("导入人"),
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("台账导入")
        verbose_name_plural = pgettext_lazy("plural", "台账导入")
        indexes = [
            # Serves the recent jobs on the ledger import page (a user's own, newest first).
            models.Index(fields=["created_by", "-created_at"], name="importjob_user_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"


class LedgerMapping(models.Model):
    """A column and value mapping a user chose to save for one sheet layout (the normalised header row),
    proposed first the next time a ledger with the same header is uploaded in the same area.

    It belongs to an area (the saver's scope root: their community or above), because a mapping carries
    area values and a default grid: one community's mapping is never offered in another (issue 13). A
    district role may publish one for the whole district (`published`); see services.saved_mapping_for."""

    kind = models.CharField(_("台账类型"), max_length=24, choices=ImportKind.choices)
    signature = models.CharField(_("表头特征"), max_length=40)
    headers = models.JSONField(_("表头"), default=list)
    # {"columns": {...}, "default_grid": id, "values": {field: {sheet value: system value}}}
    mapping = models.JSONField(_("列对应关系"), default=dict)
    # Null only for mappings saved before mappings were scoped: those are never offered again.
    owner_area = models.ForeignKey(
        Area,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所属区域"),
    )
    published = models.BooleanField(_("全区通用"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    used_count = models.PositiveIntegerField(_("使用次数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("台账列对应关系")
        verbose_name_plural = pgettext_lazy("plural", "台账列对应关系")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "signature", "owner_area"],
                name="ledgermapping_unique_layout",
                violation_error_message=_("该表头的列对应关系已保存。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.signature[:8]}"
