"""Forms of the rectification pages: making and editing a plan (one row of fields per hazard), the small
form of each move, enforcement with attachments, document reissue, the escalation ladder."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from firegrid.areas.choices import AREA_ROLES, Role
from firegrid.areas.models import Department, User
from firegrid.core.uploads import UploadKind, accepted_labels, check_uploads, max_mb

from .choices import EnforcementKind, MoveName
from .machine import Move
from .models import EnforcementAction, EscalationStep, Plan, PlanItem
from .services import DEFAULT_DEADLINE_DAYS, LADDER_MOVES
from .services.enforcement import MAX_ATTACHMENTS
from .services.ladder import Rung

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from firegrid.inspections.models import ChecklistItem
    from firegrid.registry.models import Premises

    # The mixin below goes into forms: the type checker reads it as one.
    _FormBase = forms.Form
else:
    _FormBase = object


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def textarea(rows: int = 2) -> forms.Textarea:
    # Full width of its field: a textarea's default 40 columns would overflow a 360 px phone.
    return forms.Textarea(attrs={"rows": rows, "style": "width:100%"})


def officer_choices(premises: Premises, current: User | None = None) -> QuerySet[User]:
    """Who can be responsible for a plan of this premises: the area officers whose areas hold its grid,
    and the department officers (district-wide); the current officer stays selectable."""
    grid = premises.building.grid
    q = Q(role__in=AREA_ROLES, areas__in=grid.ancestor_ids) | Q(role=Role.DEPARTMENT_OFFICER)
    if current is not None:
        q |= Q(pk=current.pk)
    return User.objects.filter(is_active=True).filter(q).distinct().order_by("role", "full_name", "username")


def _gloss(item: ChecklistItem, text: str) -> str:
    """Under a plan's text, in English, what the checklist item's text says: the plan keeps the Chinese,
    which the notice prints."""
    english = item.display_text(text)
    if english == text:
        return ""
    return _("通知书以中文打印；英文意思：%(text)s") % {"text": english}


class ItemFieldsMixin(_FormBase):
    """Per-hazard fields named `<prefix>-<key>-measure`, `-acceptance`, `-deadline`; `item_rows` groups them
    for the template. The names are those the services key their errors by (`item-<pk>-deadline`)."""

    item_prefix = "item"

    def add_item_fields(self, rows: list[tuple[int, PlanItem]]) -> None:
        self.item_keys: list[tuple[int, PlanItem]] = []
        for key, item in rows:
            self.item_keys.append((key, item))
            code = item.hazard.item.code
            self.fields[f"{self.item_prefix}-{key}-measure"] = forms.CharField(
                label=_("%(code)s 整改措施") % {"code": code},
                initial=item.measure,
                help_text=_gloss(item.hazard.item, item.measure),
                widget=textarea(2),
            )
            self.fields[f"{self.item_prefix}-{key}-acceptance"] = forms.CharField(
                label=_("%(code)s 验收标准") % {"code": code},
                initial=item.acceptance,
                help_text=_gloss(item.hazard.item, item.acceptance),
                required=False,
                widget=textarea(2),
            )
            self.fields[f"{self.item_prefix}-{key}-deadline"] = forms.DateField(
                label=_("%(code)s 整改期限") % {"code": code}, initial=item.deadline, widget=date_input()
            )

    def item_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "key": key,
                "item": item,
                "hazard": item.hazard,
                "measure": self[f"{self.item_prefix}-{key}-measure"],
                "acceptance": self[f"{self.item_prefix}-{key}-acceptance"],
                "deadline": self[f"{self.item_prefix}-{key}-deadline"],
            }
            for key, item in self.item_keys
        ]

    def item_changes(self, keys: Collection[int] | None = None) -> dict[int, dict[str, Any]]:
        data = self.cleaned_data
        return {
            key: {
                "measure": data.get(f"{self.item_prefix}-{key}-measure", ""),
                "acceptance": data.get(f"{self.item_prefix}-{key}-acceptance", ""),
                "deadline": data.get(f"{self.item_prefix}-{key}-deadline"),
            }
            for key, _item in self.item_keys
            if keys is None or key in keys
        }


class PlanCreateForm(ItemFieldsMixin, forms.Form):
    """制定整改方案: the premises' open hazards (all ticked), a measure, standard and deadline for each
    pre-filled from the checklist, the plan's deadline and its officer."""

    item_prefix = "hazard"

    hazards = forms.MultipleChoiceField(
        label=_("纳入方案的隐患"), widget=forms.CheckboxSelectMultiple, required=True
    )
    deadline = forms.DateField(
        label=_("方案整改期限"),
        widget=date_input(),
        help_text=_("不早于今天；各项隐患的期限不能晚于它。"),
    )
    officer = forms.ModelChoiceField(label=_("责任人"), queryset=User.objects.none())
    note = forms.CharField(label=_("备注"), required=False, widget=textarea(2))

    def __init__(
        self, *args: Any, premises: Premises, proposed: list[PlanItem], user: User, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["hazards"]).choices = [
            (str(i.hazard.pk), f"{i.hazard.item.code} {i.hazard.item.display_title}") for i in proposed
        ]
        self.fields["hazards"].initial = [str(i.hazard.pk) for i in proposed]
        self.fields["hazards"].error_messages["required"] = _("请至少选择一项隐患。")
        if proposed:
            self.fields["deadline"].initial = max(i.deadline for i in proposed)
        cast("forms.ModelChoiceField[User]", self.fields["officer"]).queryset = officer_choices(
            premises, current=user
        )
        self.fields["officer"].initial = user.pk
        self.add_item_fields([(i.hazard.pk, i) for i in proposed])

    def chosen_hazard_ids(self) -> set[int]:
        return {int(pk) for pk in self.cleaned_data.get("hazards", [])}

    def full_clean(self) -> None:
        super().full_clean()
        if not self.is_bound or not hasattr(self, "cleaned_data"):
            return
        # An unticked hazard's fields do not matter: drop their errors. (Bound to the POST's QueryDict.)
        chosen = {str(pk) for pk in cast(QueryDict, self.data).getlist("hazards")}
        for key, _item in self.item_keys:
            if str(key) not in chosen:
                for part in ("measure", "acceptance", "deadline"):
                    self.errors.pop(f"{self.item_prefix}-{key}-{part}", None)


class PlanEditForm(ItemFieldsMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    deadline = forms.DateField(label=_("方案整改期限"), widget=date_input())
    officer = forms.ModelChoiceField(label=_("责任人"), queryset=User.objects.none())
    note = forms.CharField(label=_("备注"), required=False, widget=textarea(2))
    change_reason = forms.CharField(
        label=_("修改原因"), required=False, max_length=200, help_text=_("选填，记入操作日志。")
    )

    PLAN_FIELDS = ("deadline", "officer", "note")

    def __init__(self, *args: Any, plan: Plan, items: list[PlanItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["version"].initial = plan.version
        self.fields["deadline"].initial = plan.deadline
        cast("forms.ModelChoiceField[User]", self.fields["officer"]).queryset = officer_choices(
            plan.premises, current=plan.officer
        )
        self.fields["officer"].initial = plan.officer_id
        self.fields["note"].initial = plan.note
        self.add_item_fields([(i.pk, i) for i in items])


class MoveForm(forms.Form):
    """One move of the plan page: the fields the move needs (a reason, a new deadline, departments) and
    the version the page was loaded at."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    order = forms.BooleanField(
        label=_("出具责令限期改正通知书"),
        required=False,
        help_text=_("不勾选则出具隐患整改通知书。"),
    )
    reason = forms.CharField(label=_("原因"), max_length=500, widget=textarea(2))
    deadline = forms.DateField(label=_("新的整改期限"), widget=date_input())
    departments = forms.ModelMultipleChoiceField(
        label=_("联合处置部门"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, move: Move, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", move.name.value)
        super().__init__(*args, **kwargs)
        self.move = move
        if move.name != MoveName.NOTIFY:
            del self.fields["order"]
        if move.name == MoveName.NOTIFY:
            del self.fields["reason"]
        elif not move.needs_reason:
            self.fields["reason"].required = False
            self.fields["reason"].label = _("说明")
        if move.needs_deadline:
            self.fields["deadline"].initial = timezone.localdate() + dt.timedelta(days=DEFAULT_DEADLINE_DAYS)
        else:
            del self.fields["deadline"]
        if move.name == MoveName.ESCALATE:
            departments = cast("forms.ModelMultipleChoiceField[Department]", self.fields["departments"])
            departments.queryset = Department.objects.visible_to(user)
        else:
            del self.fields["departments"]

    @property
    def name(self) -> str:
        return self.move.name.value

    @property
    def label(self) -> str | Promise:
        return self.move.name.label

    @property
    def danger(self) -> bool:
        return self.move.name == MoveName.CANCEL


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class EnforcementForm(forms.ModelForm):
    attachments = MultipleFileField(label=_("附件"), required=False)

    class Meta:
        model = EnforcementAction
        fields = [
            "kind",
            "department",
            "date",
            "legal_basis",
            "document_number",
            "fine_amount",
            "period_days",
            "note",
        ]
        widgets = {"date": date_input(), "note": textarea(3)}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        department = cast("forms.ModelChoiceField[Department]", self.fields["department"])
        department.queryset = Department.objects.visible_to(user)
        self.fields["department"].required = False
        if getattr(user, "department_id", None):
            self.fields["department"].initial = user.department_id
        self.fields["date"].initial = timezone.localdate()
        self.fields["legal_basis"].help_text = _("拒不开门、拒不整改的记录可不填。")
        self.fields["attachments"].help_text = _(
            "决定书、询问笔录、现场照片等：%(kinds)s，每个不超过 %(mb)s MB，最多 %(n)s 个。"
        ) % {
            "kinds": accepted_labels(UploadKind.ATTACHMENT),
            "mb": max_mb(UploadKind.ATTACHMENT),
            "n": MAX_ATTACHMENTS,
        }

    def clean_attachments(self) -> list[UploadedFile[bytes]]:
        # The service checks them again (the API's path); here every refusal shows beside the field.
        files: list[UploadedFile[bytes]] = self.cleaned_data.get("attachments") or []
        check_uploads(files, UploadKind.ATTACHMENT, most=MAX_ATTACHMENTS)
        return files

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self._meta.fields or ()}

    def _post_clean(self) -> None:
        # The model is checked by the service (record_enforcement), which knows the premises and plan.
        pass


class ReissueForm(forms.Form):
    reason = forms.CharField(label=_("重新出具原因"), max_length=200)


class LadderForm(forms.Form):
    """The district's two rungs: after how many days overdue the daily run escalates a plan, and after
    how many it moves an escalated plan into enforcement (blank: no automatic move)."""

    def __init__(self, *args: Any, steps: dict[str, EscalationStep], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rung_names: list[str] = []
        for move in LADDER_MOVES:
            step = steps.get(move)
            self.rung_names.append(move.value)
            self.fields[f"{move}-days_overdue"] = forms.IntegerField(
                label=_("逾期天数"),
                required=False,
                min_value=1,
                max_value=365,
                initial=step.days_overdue if step else None,
                help_text=_("从整改期限次日起算；留空表示不自动处置。"),
            )
            self.fields[f"{move}-departments"] = forms.ModelMultipleChoiceField(
                label=_("处置部门"),
                queryset=Department.objects.all(),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                initial=list(step.departments.all()) if step else [],
            )
            self.fields[f"{move}-suggested_action"] = forms.ChoiceField(
                label=_("建议措施"),
                choices=[("", "—"), *EnforcementKind.choices],
                required=False,
                initial=step.suggested_action if step else "",
            )

    def rungs(self) -> list[dict[str, Any]]:
        return [
            {
                "move": MoveName(name),
                "fields": [
                    self[f"{name}-{part}"] for part in ("days_overdue", "departments", "suggested_action")
                ],
            }
            for name in self.rung_names
        ]

    def service_rungs(self) -> dict[str, Rung | None]:
        data = self.cleaned_data
        return {
            name: {
                "days_overdue": data.get(f"{name}-days_overdue"),
                "departments": data.get(f"{name}-departments") or [],
                "suggested_action": data.get(f"{name}-suggested_action") or "",
            }
            for name in self.rung_names
        }
