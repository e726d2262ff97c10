from django.urls import path

from . import longterm_views, views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    # The standing report of the long-term drive (a campaign code cannot be "longterm").
    path("longterm/", longterm_views.index, name="longterm_index"),
    path("longterm/generate/", longterm_views.generate, name="longterm_generate"),
    path("longterm/<str:day>/", longterm_views.day_page, name="longterm_day"),
    path("<slug:code>/generate/", views.generate, name="generate"),
    path("<slug:code>/<str:day>/", views.day_page, name="day"),
    path("<slug:code>/<str:day>/premises/", views.premises, name="premises"),
    path("<slug:code>/<str:day>/xlsx/", views.xlsx, name="xlsx"),
    path("<slug:code>/<str:day>/pdf/", views.pdf, name="pdf"),
]
