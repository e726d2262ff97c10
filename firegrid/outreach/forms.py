"""Outreach forms: a contractor's record, rows of availability slots, a booking, the done report."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firegrid.areas.choices import AreaLevel
from firegrid.areas.models import Area
from firegrid.registry.forms import RegistryForm

from .models import Contractor, OutreachRecord

# A contractor serves whole subdistricts or communities; grids are too small to list them by.
SERVED_LEVELS = (AreaLevel.DISTRICT, AreaLevel.SUBDISTRICT, AreaLevel.COMMUNITY)


class AreaChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, area: Area) -> str:
        indent = "\u3000" * max(0, len(area.ancestor_ids) - 1)
        return f"{indent}{area.name}"


class AreaTreeChoiceField(forms.ModelChoiceField):
    """One area, offered indented by its depth in the tree."""

    def label_from_instance(self, area: Area) -> str:
        return "\u3000" * max(0, len(area.ancestor_ids) - 1) + area.name


class ContractorForm(RegistryForm):
    areas = AreaChoiceField(
        queryset=Area.objects.none(),
        label=_("服务区域"),
        help_text=_("选择街道即服务该街道下所有社区和网格。"),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Contractor
        fields = ["name", "trade", "company", "mobile", "areas", "qualification", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        areas = Area.objects.visible_to(self.user).filter(level__in=SERVED_LEVELS).order_by("path")
        if not self.user.is_district_wide:
            areas = areas.exclude(level=AreaLevel.DISTRICT)
        cast(AreaChoiceField, self.fields["areas"]).queryset = areas
        if self.instance.pk:
            self.initial["areas"] = list(self.instance.areas.values_list("pk", flat=True))


class SlotRowForm(forms.Form):
    """One period: a day and the hours on it (a phone's date and time pickers)."""

    date = forms.DateField(label=_("日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("开始"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("结束"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))

    # The service's field names → this form's.
    FIELD_FOR = {"starts_at": "start", "ends_at": "end"}

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (data.get("date") or data.get("start") or data.get("end"))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not self.is_blank():
            for name in ("date", "start", "end"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("请填写。"))
        return data

    def period(self) -> tuple[dt.datetime, dt.datetime]:
        day, start, end = (self.cleaned_data[n] for n in ("date", "start", "end"))
        zone = timezone.get_current_timezone()
        return (
            timezone.make_aware(dt.datetime.combine(day, start), zone),
            timezone.make_aware(dt.datetime.combine(day, end), zone),
        )


SlotFormSet = forms.formset_factory(SlotRowForm, extra=4, max_num=20, absolute_max=20)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=200)


class DoneForm(forms.Form):
    note = forms.CharField(
        label=_("完工说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class OutreachRecordForm(RegistryForm):
    class Meta:
        model = OutreachRecord
        fields = [
            "campaign",
            "kind",
            "held_on",
            "area",
            "audience",
            "attendance",
            "material",
            "copies",
            "note",
        ]
        field_classes = {"area": AreaTreeChoiceField}
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "attendance": _("动员会必填。"),
            "copies": _("发放宣传资料、联系卡必填。"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit("area", Area.objects.visible_to(self.user).order_by("path"))
        if "campaign" in self.fields and not self.instance.pk:
            from firegrid.campaigns.models import Campaign

            current = Campaign.objects.current()
            if current is not None:
                self.initial.setdefault("campaign", current.pk)
