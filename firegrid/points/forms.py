"""The phone form an officer adds an entry with (手动加减分): attendance at a training or a meeting, or a
correction. What it accepts is decided by `services.add_manual_entry`; the form only offers choices in
the officer's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firegrid.areas.models import User
from firegrid.outreach.models import OutreachRecord

from .choices import MANUAL_RULES, MAX_CORRECTION, PointsRule
from .models import PointsEntry

# Meetings and trainings of the last this many days are offered (older ones are typed as a note).
RECENT_DAYS = 366


class ManualEntryForm(forms.Form):
    rule = forms.ChoiceField(
        label=_("类别"),
        choices=[(r.value, r.label) for r in PointsRule if r in MANUAL_RULES],
        widget=forms.RadioSelect,
    )
    occurred_on = forms.DateField(
        label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    record = forms.ModelChoiceField(
        label=_("宣传记录"),
        queryset=OutreachRecord.objects.none(),
        required=False,
        help_text=_("参加的培训或动员会；没有登记的，请在说明中写明名称和日期。"),
    )
    amount = forms.IntegerField(
        label=_("更正分值"),
        required=False,
        min_value=-MAX_CORRECTION,
        max_value=MAX_CORRECTION,
        help_text=_("仅更正时填写：加分为正数，扣分为负数。"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    corrects = forms.ModelChoiceField(
        label=_("更正的记录"), queryset=PointsEntry.objects.none(), required=False, widget=forms.HiddenInput
    )
    # One line: a short reason, and a textarea's 40 columns would widen the phone's form past the screen.
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args: Any, user: User, landlord_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        since = timezone.localdate() - dt.timedelta(days=RECENT_DAYS)
        record_field = self.fields["record"]
        assert isinstance(record_field, forms.ModelChoiceField)
        record_field.queryset = (
            OutreachRecord.objects.visible_to(user).filter(held_on__gte=since).select_related("area")
        )
        corrects_field = self.fields["corrects"]
        assert isinstance(corrects_field, forms.ModelChoiceField)
        corrects_field.queryset = PointsEntry.objects.visible_to(user).filter(landlord_id=landlord_id)
