from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import ValidationError
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

    def save_model(self, request, obj, form, change):
        if change and "parent" in form.changed_data:
            # Moving a node rewrites its whole subtree's paths: the service does that (and audits it).
            moved = move_area(Area.objects.get(pk=obj.pk), obj.parent, actor=request.user, reason="后台管理")
            obj.path, obj.version = moved.path, moved.version
            form.changed_data.remove("parent")
            if not form.changed_data:
                return
        super().save_model(request, obj, form, change)

    def after_save(self, request, obj, change):
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

    def clean(self):
        data = super().clean()
        user = User(role=data.get("role"))
        try:
            user.validate_areas(list(data.get("areas") or []))
        except ValidationError as exc:
            self.add_error("areas", exc.message_dict["areas"])
        return data


@admin.register(User)
class UserAdmin(DjangoUserAdmin, AuditedAdmin):
    form = UserAdminForm
    list_display = ("username", "full_name", "role", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "full_name", "mobile")
    filter_horizontal = ("areas",)
    autocomplete_fields = ("landlord", "contractor")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("身份"), {"fields": ("full_name", "mobile", "email")}),
        (_("角色与范围"), {"fields": ("role", "areas", "department", "unit", "landlord", "contractor")}),
        (_("状态"), {"fields": ("is_active", "is_staff", "is_superuser", "last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"fields": ("username", "password1", "password2", "full_name", "role")}),)
