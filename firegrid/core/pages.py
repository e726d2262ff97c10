"""Pages of the core app: the operation log and the login log (the home page is in firegrid.pages)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from .filters import FiregridFilterSet
from .models import AuditAction, AuditEntry, LoginRecord
from .tables import Column
from .views import ObjectListView


class AuditEntryFilterSet(FiregridFilterSet):
    search_fields = ("object_repr", "actor_name", "reason")
    form_fields = ("q", "action", "since", "until")
    action = django_filters.MultipleChoiceFilter(choices=AuditAction.choices, label=_("操作"))
    since = django_filters.DateFilter(field_name="time", lookup_expr="date__gte", label=_("起始日期"))
    until = django_filters.DateFilter(field_name="time", lookup_expr="date__lte", label=_("截止日期"))
    area = None

    class Meta:
        model = AuditEntry
        fields = ["q", "action", "since", "until", "content_type", "premises"]


class LoginRecordFilterSet(FiregridFilterSet):
    search_fields = ("username", "ip")
    form_fields = ("q", "success", "since", "until")
    success = django_filters.BooleanFilter(label=_("成功"))
    since = django_filters.DateFilter(field_name="time", lookup_expr="date__gte", label=_("起始日期"))
    until = django_filters.DateFilter(field_name="time", lookup_expr="date__lte", label=_("截止日期"))
    area = None

    class Meta:
        model = LoginRecord
        fields = ["q", "success", "since", "until"]


class AuditLogView(ObjectListView[AuditEntry]):
    """操作日志: every recorded change, for the system admin (others see only their own)."""

    model = AuditEntry
    filterset_class = AuditEntryFilterSet
    show_area_tree = False
    template_name = "core/log_list.html"
    columns = [
        Column("time", _("时间")),
        Column("actor_name", _("操作人")),
        Column("action", _("操作"), tag=True),
        Column(
            "content_type",
            _("对象类型"),
            value=lambda e: (
                str(e.content_type.model_class()._meta.verbose_name)
                if e.content_type.model_class()
                else e.content_type.model
            ),
        ),
        Column("object_repr", _("对象"), truncate=True),
        Column(
            "changes",
            _("修改内容"),
            value=lambda e: pgettext("list separator", "；").join(
                f"{k}: {b} → {a}" for k, b, a in e.changed_fields()
            ),
            truncate=True,
        ),
        Column("reason", _("原因"), truncate=True),
        Column("request_id", _("请求ID"), default=False),
    ]
    select_related = ("content_type",)


class LoginLogView(ObjectListView[LoginRecord]):
    """登录日志: sign-ins, successful or not, with IP and browser."""

    model = LoginRecord
    filterset_class = LoginRecordFilterSet
    show_area_tree = False
    template_name = "core/log_list.html"
    columns = [
        Column("time", _("时间")),
        Column("username", _("用户名")),
        Column(
            "success", _("结果"), value=lambda r: gettext("成功") if r.success else gettext("失败"), tag=True
        ),
        Column("ip", _("IP地址")),
        Column("user_agent", _("浏览器"), truncate=True),
    ]
