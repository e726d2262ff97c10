"""The bench URLconf: the site's own URLs unchanged, plus the baseline views under /bench/."""

from django.urls import path

from firegrid.urls import urlpatterns as site_urlpatterns

from . import views

urlpatterns = [
    path("bench/bare/", views.bare, name="bench-bare"),
    path("bench/orm-json/", views.orm_json, name="bench-orm-json"),
    path("bench/orm-json-hazards/", views.orm_json_hazards, name="bench-orm-json-hazards"),
    path("bench/upload/", views.upload, name="bench-upload"),
    *site_urlpatterns,
]
