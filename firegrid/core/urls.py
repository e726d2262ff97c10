from django.urls import path

from . import pages

app_name = "core"

urlpatterns = [
    path("system/audit-log/", pages.AuditLogView.as_view(), name="auditentry_list"),
    path("system/login-log/", pages.LoginLogView.as_view(), name="loginrecord_list"),
]
