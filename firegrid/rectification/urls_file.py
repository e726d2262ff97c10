"""URLs of the premises file (一户一档), in the ``rectification`` namespace.

No ``app_name`` here: ``rectification/urls.py`` includes this module, which gives it the namespace
(Django keeps one resolver per namespace, so a second include of the same namespace would be
shadowed).
"""

from django.urls import path

from . import views_file

urlpatterns = [
    path("premises/<int:pk>/file/", views_file.PremisesFileView.as_view(), name="premises_file"),
    path("premises/<int:pk>/file.pdf", views_file.PremisesDossierView.as_view(), name="premises_dossier"),
    path("premises/<int:pk>/file/notes/", views_file.PremisesNoteView.as_view(), name="premises_file_note"),
]
