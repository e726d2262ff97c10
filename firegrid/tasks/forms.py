"""Task forms: creating a task, and the steps on its page (route, escalate, assign, finish, cancel, reply)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from firegrid.areas.choices import AREA_ROLES, Role
from firegrid.areas.models import Area, Department, User
from firegrid.campaigns.models import Campaign

from .models import ALL_TASKS_ROLES, Task

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def holder_choices(user: User) -> list[tuple[str, str]]:
    """Where the user may create a task: an area in their scope or their department (the command: any)."""
    choices: list[tuple[str, str]] = []
    everything = user.is_superuser or user.role in ALL_TASKS_ROLES
    if everything or user.role in AREA_ROLES:
        for area in Area.objects.visible_to(user).order_by("path"):
            indent = "\u3000" * max(0, len(area.ancestor_ids) - 1)
            choices.append((f"area:{area.pk}", f"{indent}{area.name}"))
    departments = Department.objects.all() if everything else Department.objects.none()
    if user.role == Role.DEPARTMENT_OFFICER and user.department_id:
        departments = Department.objects.filter(pk=user.department_id)
    choices += [(f"department:{d.pk}", str(d)) for d in departments]
    return choices


class TaskForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=100)
    body = forms.CharField(label=_("内容"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    holder = forms.ChoiceField(label=_("承办单位"), help_text=_("创建后可再交办给下级区域。"))
    due_on = forms.DateField(label=_("完成期限"), widget=DATE)
    campaign = forms.ModelChoiceField(
        label=_("专项整治行动"), queryset=Campaign.objects.all(), required=False, empty_label=_("无")
    )
    plan = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["holder"]).choices = holder_choices(user)
        current = Campaign.objects.current()
        if current is not None:
            self.fields["campaign"].initial = current.pk

    def holder_values(self) -> dict[str, Area | Department | None]:
        kind, _sep, pk = self.cleaned_data["holder"].partition(":")
        if kind == "area":
            return {"area": Area.objects.get(pk=pk), "department": None}
        return {"area": None, "department": Department.objects.get(pk=pk)}


class RouteForm(forms.Form):
    areas = forms.ModelMultipleChoiceField(
        label=_("交办给"), queryset=Area.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    due_on = forms.DateField(label=_("下级期限"), required=False, widget=DATE, help_text=_("默认同本任务。"))
    note = forms.CharField(label=_("交办说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, task: Task, targets: Iterable[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Every area is accepted here so the service can say which ones are allowed; the boxes offer those.
        areas = cast(forms.ModelMultipleChoiceField, self.fields["areas"])
        areas.queryset = Area.objects.all()
        cast(forms.CheckboxSelectMultiple, areas.widget).choices = [(a.pk, a.name) for a in targets]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("办结说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("经办人"), queryset=User.objects.none(), required=False, empty_label=_("（取消指派）")
    )

    def __init__(self, *args: Any, candidates: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assignee = cast(forms.ModelChoiceField, self.fields["assignee"])
        assignee.queryset = User.objects.filter(is_active=True)
        cast(forms.Select, assignee.widget).choices = [("", _("（取消指派）"))] + [
            (u.pk, str(u)) for u in candidates
        ]


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("回复"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    attachment = forms.FileField(label=_("附件"), required=False)
