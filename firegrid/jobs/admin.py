"""Job runs in Django admin: read-only (a run's record is what happened)."""

from django.contrib import admin

from firegrid.core.admin import ReadOnlyAdmin

from .models import JobRun


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = (
        "name",
        "key",
        "status",
        "progress_done",
        "progress_total",
        "queued_at",
        "finished_at",
        "attempts",
        "claimed_by",
        "message",
    )
    list_filter = ("status", "name")
    search_fields = ("name", "key", "message")
    date_hierarchy = "queued_at"
    list_select_related = ("created_by",)
