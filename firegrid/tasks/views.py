"""Task pages: the list (我的任务 by default), a task with its thread and its steps, creating a task."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from firegrid.core.permissions import Action, can
from firegrid.core.responses import uploaded_file_response
from firegrid.core.tables import Column, enumerate_items
from firegrid.core.views import ObjectDetailView, ObjectListView
from firegrid.rectification.models import Plan

from . import services
from .filters import TaskFilterSet
from .forms import AssignForm, NoteForm, ReasonForm, ReplyForm, RouteForm, TaskForm
from .models import Task, TaskReply

if TYPE_CHECKING:
    from firegrid.core.http import AuthedHttpRequest


def _holder(task: Task) -> str:
    return str(task.holder)


def _overdue(task: Task) -> str:
    return _("已超期") if task.overdue else ""


TASK_COLUMNS = [
    Column("title", gettext_lazy("标题"), link=True),
    Column("kind", gettext_lazy("类型"), tag=True),
    Column("holder", gettext_lazy("承办单位"), value=_holder),
    Column("assignee", gettext_lazy("经办人"), value=lambda t: str(t.assignee) if t.assignee_id else ""),
    Column("due_on", gettext_lazy("完成期限"), sort="due_on"),
    Column("overdue", gettext_lazy("超期"), value=_overdue),
    Column("status", gettext_lazy("状态"), sort="status", tag=True),
    Column("campaign.name", gettext_lazy("专项整治行动"), default=False),
    Column("created_at", gettext_lazy("创建时间"), sort="created_at", default=False),
]


class TaskListView(ObjectListView):
    model = Task
    filterset_class = TaskFilterSet
    columns = TASK_COLUMNS
    select_related = ("area", "department", "assignee", "campaign")


class TaskDetailView(ObjectDetailView):
    model = Task
    template_name = "tasks/task_detail.html"
    select_related = (
        "area",
        "department",
        "assignee",
        "campaign",
        "parent",
        "plan",
        "premises",
        "created_by",
    )
    request: AuthedHttpRequest
    fields = [
        Column("kind", gettext_lazy("类型")),
        Column("status", gettext_lazy("状态")),
        Column("holder", gettext_lazy("承办单位"), value=_holder),
        Column(
            "departments",
            gettext_lazy("参与部门"),
            value=lambda t: enumerate_items(d.name for d in t.departments.all()),
        ),
        Column("assignee", gettext_lazy("经办人"), value=lambda t: str(t.assignee) if t.assignee_id else ""),
        Column("due_on", gettext_lazy("完成期限")),
        Column("campaign.name", gettext_lazy("专项整治行动")),
        Column("premises", gettext_lazy("出租户"), value=lambda t: str(t.premises) if t.premises_id else ""),
        Column("created_by", gettext_lazy("创建人"), value=lambda t: str(t.created_by or _("系统"))),
        Column("body", gettext_lazy("内容")),
    ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        task, user = self.object, self.request.user
        acts = services.acts_for(user, task)
        assignee = task.assignee_id == user.pk
        is_open = task.is_open
        targets = list(services.route_targets(task)) if acts and is_open else []
        visible = Task.objects.visible_to(user)
        context.update(
            can_change=False,  # a task changes through its steps
            acts=acts,
            can_route=bool(targets),
            can_escalate=is_open and (acts or assignee) and services.escalation_target(task) is not None,
            can_assign=is_open and acts,
            can_start=task.status == "open" and (acts or assignee),
            can_finish=is_open and (acts or assignee),
            can_cancel=is_open and (acts or task.created_by_id == user.pk),
            can_reply=can(user, Action.CHANGE, Task),
            route_form=kwargs.get("route_form") or RouteForm(task=task, targets=targets),
            reason_form=ReasonForm(),
            note_form=NoteForm(),
            assign_form=AssignForm(
                initial={"assignee": task.assignee_id}, candidates=services.assignee_candidates(task)
            )
            if acts and is_open
            else None,
            reply_form=kwargs.get("reply_form") or ReplyForm(),
            replies=task.replies.select_related("author"),
            subtasks=visible.filter(parent=task).select_related("area", "department", "assignee"),
            parent_visible=task.parent_id and visible.filter(pk=task.parent_id).exists(),
            plan_url=task.plan.get_absolute_url()
            if task.plan_id and Plan.objects.visible_to(user).filter(pk=task.plan_id).exists()
            else "",
        )
        return context


class TaskCreateView(LoginRequiredMixin, View):
    template_name = "tasks/task_form.html"

    def check(self, request: AuthedHttpRequest) -> None:
        if not can(request.user, Action.ADD, Task):
            raise PermissionDenied(_("您的角色无权创建任务。"))

    def get(self, request: AuthedHttpRequest) -> HttpResponse:
        self.check(request)
        form = TaskForm(user=request.user, initial={"plan": request.GET.get("plan", "")})
        return render(request, self.template_name, {"form": form})

    def post(self, request: AuthedHttpRequest) -> HttpResponse:
        self.check(request)
        form = TaskForm(request.POST, user=request.user)
        if form.is_valid():
            data = {
                "title": form.cleaned_data["title"],
                "body": form.cleaned_data["body"],
                "due_on": form.cleaned_data["due_on"],
                "campaign": form.cleaned_data["campaign"],
                **form.holder_values(),
            }
            plan_id = form.cleaned_data.get("plan")
            if plan_id:
                data["plan"] = get_object_or_404(Plan.objects.visible_to(request.user), pk=plan_id)
            try:
                task = services.create_task(data, actor=request.user)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    target = "holder" if field in ("area", "department") else field
                    form.add_error(target if target in form.fields else None, errors)
            else:
                messages.success(request, _("已创建任务：%(task)s") % {"task": task})
                return redirect(task.get_absolute_url())
        return render(request, self.template_name, {"form": form}, status=400)


class TaskStepView(LoginRequiredMixin, View):
    """POST one step of a task (route, escalate, assign, start, done, cancel, reply); errors come back as
    messages on the task page (the route form keeps its choices)."""

    http_method_names = ["post"]
    step: str = ""

    def post(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        task = get_object_or_404(Task.objects.visible_to(request.user), pk=pk)
        user = request.user
        try:
            if self.step == "route":
                targets = list(services.route_targets(task))
                form = RouteForm(request.POST, task=task, targets=targets)
                if not form.is_valid():
                    raise ValidationError([m for errors in form.errors.values() for m in errors])
                children = services.route_task(
                    task,
                    form.cleaned_data["areas"],
                    actor=user,
                    due_on=form.cleaned_data["due_on"],
                    note=form.cleaned_data["note"],
                )
                messages.success(request, _("已交办 %(n)s 个下级任务。") % {"n": len(children)})
            elif self.step == "escalate":
                services.escalate_task(task, actor=user, reason=request.POST.get("reason", ""))
                messages.success(request, _("已上报。"))
            elif self.step == "assign":
                assign_form = AssignForm(request.POST, candidates=[])
                assignee = assign_form.cleaned_data["assignee"] if assign_form.is_valid() else None
                services.assign_task(task, assignee, actor=user)
                messages.success(request, _("已指派。") if assignee else _("已取消指派。"))
            elif self.step == "start":
                services.start_task(task, actor=user)
                messages.success(request, _("已开始办理。"))
            elif self.step == "done":
                services.complete_task(task, actor=user, note=request.POST.get("note", ""))
                messages.success(request, _("已办结。"))
            elif self.step == "cancel":
                services.cancel_task(task, actor=user, reason=request.POST.get("reason", ""))
                messages.success(request, _("已撤销。"))
            elif self.step == "reply":
                services.add_reply(
                    task,
                    actor=user,
                    text=request.POST.get("text", ""),
                    attachment=request.FILES.get("attachment"),
                )
                messages.success(request, _("已回复。"))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        if self.step == "escalate" and not Task.objects.visible_to(user).filter(pk=pk).exists():
            # Handed up out of the escalator's sight: back to their own tasks.
            return redirect(reverse("tasks:task_list") + "?mine=true")
        return redirect(reverse("tasks:task_detail", args=[pk]))


class ReplyAttachmentView(LoginRequiredMixin, View):
    """A reply's attachment, to those who see its task."""

    def get(self, request: AuthedHttpRequest, pk: int) -> FileResponse:
        reply = get_object_or_404(TaskReply.objects.visible_to(request.user).exclude(attachment=""), pk=pk)
        # Always downloaded (a task's files are documents to keep), with its checked type and nosniff.
        return uploaded_file_response(
            reply.attachment, reply.attachment_name or "attachment", as_attachment=True, max_age=3600
        )
