from django.urls import path

from . import help, views

app_name = "pages"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("me/", views.MeView.as_view(), name="me"),
    # 帮助: the user guide per role (firegrid/data/guide/), firegrid/pages/help.py
    path("help/", help.HelpIndexView.as_view(), name="help"),
    path("help/<slug:role>/", help.HelpGuideView.as_view(), name="help_guide"),
]
