"""Forms of the campaign command: a campaign with its milestones, a work group, claims, the declaration."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.db.models.query import QuerySet
from django.forms.formsets import DELETION_FIELD_NAME
from django.utils.translation import gettext_lazy as _

from firegrid.areas.choices import AreaLevel, Role
from firegrid.areas.models import Area, Department, Unit, User
from firegrid.core.views import VersionedForm
from firegrid.registry.choices import FourCategory
from firegrid.registry.models import Landlord

from .choices import MilestoneScope
from .models import Campaign, WorkGroup


class AreaChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, area: Area) -> str:
        indent = "\u3000" * max(0, len(area.ancestor_ids) - 1)
        return f"{indent}{area.name}"


def scope_areas() -> QuerySet[Area]:
    # Campaigns and work groups own subdistricts, communities and grids; the tree order reads as a tree.
    return Area.objects.exclude(level=AreaLevel.DISTRICT).order_by("path")


class CampaignForm(VersionedForm):
    areas = AreaChoiceField(
        queryset=Area.objects.none(),
        required=False,
        label=_("范围"),
        help_text=_("不选表示全区。选择街道即包含其下所有社区和网格。"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = Campaign
        fields = ["name", "code", "starts_on", "ends_on", "status", "areas"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(AreaChoiceField, self.fields["areas"]).queryset = scope_areas()
        if self.instance.pk:
            self.initial["areas"] = list(self.instance.areas.values_list("pk", flat=True))


class MilestoneForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    due_on = forms.DateField(label=_("完成日期"), widget=forms.DateInput(attrs={"type": "date"}))
    scope = forms.ChoiceField(label=_("范围"), choices=MilestoneScope.choices, initial=MilestoneScope.ALL)


class BaseMilestoneFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, period: tuple[dt.date, dt.date] | None = None, **kwargs: Any) -> None:
        self.period = period
        super().__init__(*args, **kwargs)

    def _deleted(self, form: forms.Form) -> bool:
        # What BaseFormSet._should_delete_form answers (a private method the type stubs leave out).
        return bool(form.cleaned_data.get(DELETION_FIELD_NAME, False))

    def clean(self) -> None:
        # The same rule as the service (Milestone.clean), here on the row's own date field.
        if self.period is None:
            return
        starts_on, ends_on = self.period
        for form in self.forms:
            if self.can_delete and self._deleted(form):
                continue
            due_on = form.cleaned_data.get("due_on")
            if due_on and not (starts_on <= due_on <= ends_on):
                form.add_error(
                    "due_on",
                    _("节点日期必须在行动期间内（%(start)s 至 %(end)s）。")
                    % {"start": starts_on, "end": ends_on},
                )

    def milestones(self) -> list[dict[str, Any]]:
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not (self.can_delete and self._deleted(form))
        ]


# formset_factory is typed as returning a plain BaseFormSet class; this one is a BaseMilestoneFormSet.
MilestoneFormSet = cast(
    type[BaseMilestoneFormSet],
    forms.formset_factory(MilestoneForm, formset=BaseMilestoneFormSet, extra=2, can_delete=True),
)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user: User) -> str:
        return f"{user} · {user.get_role_display()}"


class UsersChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user: User) -> str:
        return f"{user} · {user.get_role_display()}"


STAFF_ROLES = (
    Role.DISTRICT_COMMANDER,
    Role.DEPARTMENT_OFFICER,
    Role.SUBDISTRICT_OFFICER,
    Role.COMMUNITY_OFFICER,
    Role.GRID_WORKER,
)


class WorkGroupForm(VersionedForm):
    leader = UserChoiceField(queryset=User.objects.none(), required=False, label=_("网格长"))
    members = UsersChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=_("成员"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    departments = forms.ModelMultipleChoiceField(
        queryset=Department.objects.all(),
        required=False,
        label=_("成员部门"),
        widget=forms.CheckboxSelectMultiple,
    )
    areas = AreaChoiceField(
        queryset=Area.objects.none(), label=_("负责区域"), widget=forms.SelectMultiple(attrs={"size": 8})
    )

    class Meta:
        model = WorkGroup
        fields = ["name", "leader", "members", "departments", "areas"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff = User.objects.filter(is_active=True, role__in=STAFF_ROLES).order_by("full_name", "username")
        cast(UserChoiceField, self.fields["leader"]).queryset = staff
        cast(UsersChoiceField, self.fields["members"]).queryset = staff
        cast(AreaChoiceField, self.fields["areas"]).queryset = scope_areas()
        if self.instance.pk:
            for name in ("members", "departments", "areas"):
                self.initial[name] = list(getattr(self.instance, name).values_list("pk", flat=True))


class ClaimForm(forms.Form):
    landlord = forms.ModelChoiceField(
        queryset=Landlord.objects.none(), label=_("房东"), widget=forms.NumberInput
    )
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("认领单位"))
    reason = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["landlord"]).queryset = Landlord.objects.visible_to(user)
        self.fields["landlord"].help_text = _("房东编号（在未认领名单中点击“认领”会自动填写）")
        # Every unit validates: a liaison posting another unit is refused by the service (403), not
        # told "not a valid choice" as if the unit did not exist.
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = Unit.objects.all()
        if user.role == Role.UNIT_LIAISON:
            self.fields["unit"].initial = user.unit_id
            self.fields["unit"].widget = forms.HiddenInput()


class TransferForm(forms.Form):
    to_unit = forms.ModelChoiceField(queryset=Unit.objects.all(), label=_("移交给"))
    reason = forms.CharField(label=_("移交原因"), max_length=200)


class ReleaseForm(forms.Form):
    reason = forms.CharField(label=_("释放原因"), max_length=200)


class TargetForm(forms.Form):
    premises = forms.IntegerField(label=_("出租户编号"), min_value=1)
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)
    on = forms.DateField(
        label=_("生效日期"),
        required=False,
        help_text=_("自该日起计入（加入）或不再计入（移出）；默认今天，行动已结束的为最后一天。"),
    )


class DeclareForm(forms.Form):
    """The landlord's own declaration: which of the four categories, and the employer unit."""

    categories = forms.MultipleChoiceField(
        label=_("本人属于"),
        choices=FourCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不属于以上任何一类的，不勾选。"),
    )
    employer_unit = forms.ModelChoiceField(
        queryset=Unit.objects.all(), required=False, label=_("工作单位"), empty_label=_("（无）")
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("categories") and not data.get("employer_unit"):
            self.add_error("employer_unit", _("四类人员必须填写工作单位，以便单位认领。"))
        return data
