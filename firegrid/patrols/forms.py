"""Forms of the patrol pages: a team, planning a patrol, a finding on the phone, closing a finding,
cancelling a patrol, reviewing a fabrication flag. Related choices are limited with `visible_to`."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firegrid.areas.choices import AREA_ROLES, Role
from firegrid.areas.models import Area, User
from firegrid.core.views import VersionedForm
from firegrid.registry.models import Building, Premises

from .choices import REVIEW_DECISIONS, FindingKind, FlagStatus, PatrolKind, TeamKind
from .models import PatrolTeam
from .models.patrols import TEAM_AREA_LEVELS
from .services import member_candidates

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def team_areas(user: User) -> QuerySet[Area]:
    return Area.objects.visible_to(user).filter(level__in=TEAM_AREA_LEVELS).order_by("path")


class MemberChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: User) -> str:
        return f"{obj}（{obj.get_role_display()}）"


class PatrolTeamForm(VersionedForm):
    members = MemberChoiceField(
        queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple, label=_("队员")
    )

    class Meta:
        model = PatrolTeam
        fields = ["name", "kind", "area", "members", "leader", "active", "note"]

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        assert user is not None  # the edit views always pass the user
        self.fields["area"].queryset = team_areas(user)  # type: ignore[attr-defined]
        candidates = self._candidates(user)
        self.fields["members"].queryset = candidates  # type: ignore[attr-defined]
        self.fields["leader"].queryset = candidates  # type: ignore[attr-defined]
        self.fields["members"].help_text = _(
            "网格员巡查队选负责该区域的工作人员；房东自治巡查队选该区域已开通账号的房东。"
        )

    def _candidates(self, user: User) -> QuerySet[User]:
        """Who may be chosen: the candidates of the chosen area and kind, or of the user's areas."""
        source = self.data if self.is_bound else {**self.initial}
        if self.instance.pk and not self.is_bound:
            source = {"area": self.instance.area_id, "kind": self.instance.kind}
        area = (
            team_areas(user).filter(pk=str(source.get("area") or "0")).first()
            if str(source.get("area") or "").isdigit()
            else None
        )
        kinds = [source["kind"]] if source.get("kind") in TeamKind.values else list(TeamKind.values)
        roots = [area] if area is not None else list(Area.objects.filter(path__in=user.scope_paths))
        pks: set[int] = set()
        for root in roots:
            for kind in kinds:
                pks |= set(member_candidates(root, kind, actor=user).values_list("pk", flat=True))
        return User.objects.filter(pk__in=pks).order_by("role", "username")


class PatrolPlanForm(forms.Form):
    """计划巡查: a team, its window and kind, and a route — the area's buildings not patrolled this week in
    walking order, all of them, or the ones ticked."""

    ROUTE_UNPATROLLED = "unpatrolled"
    ROUTE_ALL = "all"
    ROUTE_CHOSEN = "chosen"

    team = forms.ModelChoiceField(queryset=PatrolTeam.objects.none(), label=_("巡查队"))
    area = forms.ModelChoiceField(
        queryset=Area.objects.none(), required=False, label=_("巡查区域"), help_text=_("不选：巡查队的区域。")
    )
    kind = forms.ChoiceField(choices=PatrolKind.choices, label=_("类型"))
    window_start = forms.DateTimeField(
        widget=DateTimeLocalInput(), input_formats=DATETIME_FORMATS, label=_("计划开始")
    )
    window_end = forms.DateTimeField(
        widget=DateTimeLocalInput(), input_formats=DATETIME_FORMATS, label=_("计划结束")
    )
    route = forms.ChoiceField(
        choices=[
            (ROUTE_UNPATROLLED, _("本周尚未巡查的建筑（按步行路线排序）")),
            (ROUTE_ALL, _("区域内全部建筑（按步行路线排序）")),
            (ROUTE_CHOSEN, _("只巡查下面勾选的建筑")),
        ],
        widget=forms.RadioSelect,
        initial=ROUTE_UNPATROLLED,
        label=_("路线"),
    )
    limit = forms.IntegerField(
        min_value=1, max_value=500, required=False, label=_("最多几幢"), help_text=_("不填：不限。")
    )
    buildings = forms.ModelMultipleChoiceField(
        queryset=Building.objects.none(), required=False, widget=forms.CheckboxSelectMultiple, label=_("建筑")
    )
    note = forms.CharField(max_length=200, required=False, label=_("备注"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["team"].queryset = PatrolTeam.objects.visible_to(user).filter(active=True)  # type: ignore[attr-defined]
        self.fields["area"].queryset = team_areas(user)  # type: ignore[attr-defined]
        area = self.route_area()
        if area is not None:
            self.fields["buildings"].queryset = (  # type: ignore[attr-defined]
                Building.objects.visible_to(user)
                .filter(grid_id__in=area.grid_ids())
                .order_by("sort_key", "pk")
            )

    def route_area(self) -> Area | None:
        """The area whose buildings are offered: the chosen one, else the chosen team's."""
        source = self.data if self.is_bound else self.initial
        area_id, team_id = str(source.get("area") or ""), str(source.get("team") or "")
        if area_id.isdigit():
            return team_areas(self.user).filter(pk=area_id).first()
        if team_id.isdigit():
            team = PatrolTeam.objects.visible_to(self.user).filter(pk=team_id).select_related("area").first()
            return team.area if team is not None else None
        return None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("route") == self.ROUTE_CHOSEN and not data.get("buildings"):
            self.add_error("buildings", _("请勾选要巡查的建筑。"))
        return data


class UnitLabelChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A building's premises by their door labels only (what is on the doors): a landlord volunteer sees
    no other landlord's details."""

    def label_from_instance(self, obj: Premises) -> str:
        return obj.unit_label


class FindingForm(forms.Form):
    """巡查发现 on the phone: what was seen, where, and a photo if one helps."""

    building = forms.IntegerField(widget=forms.HiddenInput)
    client_uuid = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    kind = forms.ChoiceField(
        choices=FindingKind.choices, widget=forms.RadioSelect, initial=FindingKind.NOTE, label=_("类型")
    )
    premises = UnitLabelChoiceField(
        queryset=Premises.objects.none(),
        required=False,
        label=_("出租户"),
        empty_label=_("整幢建筑（楼道、通道等）"),
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=1000, label=_("情况说明"))
    # Checked by its content in the service (core.uploads), not by the form's guess from the name.
    photo = forms.FileField(
        required=False,
        label=_("照片（可不拍）"),
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args: Any, building: Building | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if building is not None:
            self.initial.setdefault("building", building.pk)
            premises = Premises.objects.filter(building=building).order_by("sort_key", "pk")
            self.fields["premises"].queryset = premises  # type: ignore[attr-defined]  # a ModelChoiceField


class CloseFindingForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    close_note = forms.CharField(max_length=200, label=_("处理说明"))


class CancelPatrolForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(max_length=150, label=_("取消原因"))


class ReviewFlagForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        choices=[(value, FlagStatus(value).label) for value in REVIEW_DECISIONS],
        widget=forms.RadioSelect,
        label=_("核查结论"),
    )
    review_note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=500, label=_("核查说明")
    )


def default_window(kind: str = PatrolKind.DAY) -> tuple[dt.datetime, dt.datetime]:
    """Today's usual window: 9:00–17:00 by day, 19:00–23:00 at night (what the plan form starts with)."""
    today = timezone.localdate()
    hours = (19, 23) if kind == PatrolKind.NIGHT else (9, 17)
    start = timezone.make_aware(dt.datetime.combine(today, dt.time(hours[0])))
    end = timezone.make_aware(dt.datetime.combine(today, dt.time(hours[1])))
    return start, end


def is_planner(user: User) -> bool:
    """Roles that plan patrols and keep teams (area roles and the system admin), not landlords."""
    return user.role in AREA_ROLES or user.role == Role.SYSTEM_ADMIN or bool(user.is_superuser)
