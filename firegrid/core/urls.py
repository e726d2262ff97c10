from django.urls import path

from . import pages

app_name = "core"

urlpatterns = [
    path("", pages.HomeView.as_view(), name="home"),
    path("me/", pages.MeView.as_view(), name="me"),
    path("system/audit-log/", pages.AuditLogView.as_view(), name="auditentry_list"),
    path("system/login-log/", pages.LoginLogView.as_view(), name="loginrecord_list"),
]
