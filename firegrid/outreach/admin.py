from django.contrib import admin

from firegrid.core.admin import AuditedAdmin

from .models import Contractor


@admin.register(Contractor)
class ContractorAdmin(AuditedAdmin):
    """For linking a contractor's user account (User.contractor); the directory itself is kept on its pages."""

    list_display = ("name", "trade", "company", "is_active")
    list_filter = ("trade", "is_active")
    search_fields = ("name", "company")
    autocomplete_fields = ("areas",)
