from django.urls import path

from firegrid.core.views import ObjectHistoryView

from . import views
from .models import Task

app_name = "tasks"

STEPS = ("route", "escalate", "assign", "start", "done", "cancel", "reply")

urlpatterns = [
    path("", views.TaskListView.as_view(), name="task_list"),
    path("new/", views.TaskCreateView.as_view(), name="task_add"),
    path("<int:pk>/", views.TaskDetailView.as_view(), name="task_detail"),
    path("<int:pk>/history/", ObjectHistoryView.as_view(model=Task), name="task_history"),
    *[
        path(f"<int:pk>/{step}/", views.TaskStepView.as_view(step=step), name=f"task_{step}")
        for step in STEPS
    ],
    path("replies/<int:pk>/attachment/", views.ReplyAttachmentView.as_view(), name="reply_attachment"),
]
