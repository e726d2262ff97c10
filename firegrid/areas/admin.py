from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from firegrid.core.admin import AuditedAdmin

from .models import Area, Department, Unit, User
from .services import move_area


@admin.register(Area)
class AreaAdmin(AuditedAdmin):
    list_display = ("name", "level", "code", "parent")
    list_filter = ("level",)
    search_fields = ("name", "code")
    readonly_fields = ("path",)
    autocomplete_fields = ("parent",)

    def save_model(self, request: HttpRequest, obj: Area, form: forms.ModelForm[Area], change: bool) -> None:
        if change and "parent" in form.changed_data:
            # Moving a node rewrites its whole subtree's paths: the service does that (and audits it).
            # Area.clean has passed (only a district has no parent, and it never gets one), and the admin
            # site lets in signed-in staff only.
            assert obj.parent is not None and isinstance(request.user, User)
            moved = move_area(Area.objects.get(pk=obj.pk), obj.parent, actor=request.user, reason="后台管理")
            obj.path, obj.version = moved.path, moved.version
            form.changed_data.remove("parent")
            if not form.changed_data:
                return
        super().save_model(request, obj, form, change)

    def after_save(self, request: HttpRequest, obj: Area, change: bool) -> None:
        if not change:
            obj.path = f"{obj.parent.path if obj.parent else '/'}{obj.pk}/"
            obj.save(update_fields=["path"])


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ("name", "kind", "area")
    list_filter = ("kind",)
    search_fields = ("name",)


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ("name", "kind", "credit_code", "contact_name")
    list_filter = ("kind",)
    search_fields = ("name", "credit_code")


class UserAdminForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        user = User(role=data.get("role") or "")
        try:
            user.validate_areas(list(data.get("areas") or []))
        except ValidationError as exc:
            self.add_error("areas", exc.message_dict["areas"])
        return data


@admin.register(User)
class UserAdmin(DjangoUserAdmin, AuditedAdmin):  # type: ignore[misc]  # both define get_form; Django's calls ours
    form = UserAdminForm
    list_display = ("username", "full_name", "role", "is_active", "last_login")
    list_filter = ("role", "is_active")
    # A mobile is found by the whole number only: a partial search would spell it out digit by digit.
    search_fields = ("username", "full_name", "=mobile")
    # A user's mobile is theirs: masked like a landlord's (User declares no personal_fields).
    personal_fields = ("mobile",)
    filter_horizontal = ("areas",)
    autocomplete_fields = ("landlord", "contractor")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("身份"), {"fields": ("full_name", "mobile", "email")}),
        (_("角色与范围"), {"fields": ("role", "areas", "department", "unit", "landlord", "contractor")}),
        (
            _("状态"),
            {
                "fields": (
                    "is_active",
                    "must_change_password",
                    "is_staff",
                    "is_superuser",
                    "last_login",
                    "date_joined",
                )
            },
        ),
    )
    add_fieldsets = ((None, {"fields": ("username", "password1", "password2", "full_name", "role")}),)
