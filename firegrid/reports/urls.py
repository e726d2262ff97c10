from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:code>/generate/", views.generate, name="generate"),
    path("<slug:code>/<str:day>/", views.day_page, name="day"),
    path("<slug:code>/<str:day>/premises/", views.premises, name="premises"),
    path("<slug:code>/<str:day>/xlsx/", views.xlsx, name="xlsx"),
    path("<slug:code>/<str:day>/pdf/", views.pdf, name="pdf"),
]
