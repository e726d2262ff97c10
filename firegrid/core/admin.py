"""Django admin for the system admin. Changes made here are audited like any other (see AuditedAdmin), and
personal data is masked here as on every page (see PersonalDataAdmin)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .masking import MASKERS
from .models import AuditAction, AuditEntry, LoginRecord
from .services import Versioned, record_change, snapshot

if TYPE_CHECKING:
    # Users belong to the areas app, above core: a type-only import, allowed by the layer contract.
    from firegrid.areas.models import User

_M = TypeVar("_M", bound=models.Model)

admin.site.site_header = "消防网格 · 后台管理"
admin.site.site_title = "消防网格"


class MaskedPersonalDataForm(forms.ModelForm):  # type: ignore[type-arg]  # mixed into any model's form
    """An admin change form whose personal fields start blank, the stored value shown masked beside the
    input; a blank input keeps the stored value (as the registry's own forms do)."""

    masked_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.masked_fields:
            field = self.fields[name]
            field.required = False
            field.help_text = _("留空表示不修改（已登记：%(masked)s）") % {
                "masked": MASKERS[name](getattr(self.instance, name) or "") or "—"
            }
            self.initial[name] = ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in self.masked_fields:
            if not data.get(name) and name not in self.errors:
                data[name] = getattr(self.instance, name)
        return data


def masked_column(name: str, label: str) -> Callable[[models.Model], str]:
    def column(obj: models.Model) -> str:
        return MASKERS[name](getattr(obj, name) or "")

    column.short_description = label  # type: ignore[attr-defined]
    column.admin_order_field = name  # type: ignore[attr-defined]
    return column


# Django's ModelAdmin is generic only in the stubs (not subscriptable at runtime): Generic carries the model.
class PersonalDataAdmin(admin.ModelAdmin, Generic[_M]):  # type: ignore[type-arg]
    """The admin's pages never show a personal field unmasked (`Model.personal_fields`, or the admin's
    own `personal_fields` for models without them, such as the user's mobile): list columns are masked,
    and a change form does not send the stored value to the browser. Adding a record types it in full.
    Nothing here reveals a value, so there is no reveal to audit; the record's detail page has one."""

    personal_fields: Sequence[str] | None = None

    def get_personal_fields(self) -> tuple[str, ...]:
        if self.personal_fields is not None:
            return tuple(self.personal_fields)
        return tuple(getattr(self.model, "personal_fields", ()))

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        personal = self.get_personal_fields()
        return [
            masked_column(name, str(self.model._meta.get_field(name).verbose_name))
            if isinstance(name, str) and name in personal
            else name
            for name in super().get_list_display(request)
        ]

    def get_form(
        self, request: HttpRequest, obj: models.Model | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:  # type: ignore[type-arg]
        form = super().get_form(request, obj, change=change, **kwargs)
        masked = tuple(name for name in self.get_personal_fields() if name in form.base_fields)
        if obj is None or not masked:
            return form
        return type(form.__name__, (MaskedPersonalDataForm, form), {"masked_fields": masked})


class AuditedAdmin(PersonalDataAdmin[_M]):
    """Writes our audit entry for every save and delete made through the admin."""

    audit_reason = "后台管理"

    def save_model(self, request: HttpRequest, obj: _M, form: forms.ModelForm[_M], change: bool) -> None:
        with transaction.atomic():
            before = snapshot(type(obj)._default_manager.get(pk=obj.pk)) if change and obj.pk else None
            if change and isinstance(obj, Versioned):
                obj.version += 1
            super().save_model(request, obj, form, change)
            self.after_save(request, obj, change)
            record_change(
                actor=_admin_user(request),
                action=AuditAction.UPDATE if change else AuditAction.CREATE,
                obj=obj,
                before=before,
                after=snapshot(obj),
                reason=self.audit_reason,
            )

    def after_save(self, request: HttpRequest, obj: _M, change: bool) -> None:
        """Hook for models with derived columns to maintain (e.g. the area path)."""

    def delete_model(self, request: HttpRequest, obj: _M) -> None:
        with transaction.atomic():
            record_change(
                actor=_admin_user(request),
                action=AuditAction.DELETE,
                obj=obj,
                before=snapshot(obj),
                reason=self.audit_reason,
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[_M]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


def _admin_user(request: HttpRequest) -> User:
    """The signed-in staff member behind an admin page (the admin site lets no one else in)."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    return request.user


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # Django's class is not subscriptable at runtime
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("time", "actor_name", "action", "content_type", "object_repr", "reason")
    list_filter = ("action", "content_type")
    search_fields = ("object_repr", "actor_name", "reason", "request_id")
    date_hierarchy = "time"


@admin.register(LoginRecord)
class LoginRecordAdmin(ReadOnlyAdmin):
    list_display = ("time", "username", "success", "ip", "user_agent")
    list_filter = ("success",)
    search_fields = ("username", "ip")
    date_hierarchy = "time"
