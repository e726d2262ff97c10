"""The bench URLconf: the site's own URLs unchanged, plus the baseline views under /bench/."""

from django.urls import path

from firegrid.urls import urlpatterns as site_urlpatterns

from . import views

urlpatterns = [
    path("bench/bare/", views.bare, name="bench-bare"),
    path("bench/orm-json/", views.orm_json, name="bench-orm-json"),
    path("bench/orm-json-hazards/", views.orm_json_hazards, name="bench-orm-json-hazards"),
    path("bench/orm-json-queue/", views.orm_json_queue, name="bench-orm-json-queue"),
    path("bench/orm-json-queue-grids/", views.orm_json_queue_grids, name="bench-orm-json-queue-grids"),
    path("bench/upload/", views.upload, name="bench-upload"),
    *site_urlpatterns,
]
