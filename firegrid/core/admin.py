"""Django admin for the system admin. Changes made here are audited like any other (see AuditedAdmin)."""

from django.contrib import admin
from django.db import transaction

from .models import AuditAction, AuditEntry, LoginRecord
from .services import record_change, snapshot

admin.site.site_header = "消防网格 · 后台管理"
admin.site.site_title = "消防网格"


class AuditedAdmin(admin.ModelAdmin):
    """Writes our audit entry for every save and delete made through the admin."""

    audit_reason = "后台管理"

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
            if change and hasattr(obj, "version"):
                obj.version += 1
            super().save_model(request, obj, form, change)
            self.after_save(request, obj, change)
            record_change(
                actor=request.user,
                action=AuditAction.UPDATE if change else AuditAction.CREATE,
                obj=obj,
                before=before,
                after=snapshot(obj),
                reason=self.audit_reason,
            )

    def after_save(self, request, obj, change) -> None:
        """Hook for models with derived columns to maintain (e.g. the area path)."""

    def delete_model(self, request, obj):
        with transaction.atomic():
            record_change(
                actor=request.user,
                action=AuditAction.DELETE,
                obj=obj,
                before=snapshot(obj),
                reason=self.audit_reason,
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
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
