"""The key area form (重点区域: 设立 / 修改): the area among the subdistricts, communities and grids, the reason,
the period, the weight and the interval; the version read."""

from __future__ import annotations

from typing import Any

from django import forms

from firegrid.areas.choices import AreaLevel
from firegrid.areas.models import Area, User
from firegrid.core.views import VersionedForm
from firegrid.registry.forms import REASON_FIELD

from .models import KeyArea


class KeyAreaForm(VersionedForm):
    change_reason = REASON_FIELD
    user: User

    class Meta:
        model = KeyArea
        fields = ["area", "reason", "starts_on", "ends_on", "weight", "interval_percent"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            del self.fields["change_reason"]
        area = self.fields["area"]
        assert isinstance(area, forms.ModelChoiceField)
        area.queryset = Area.objects.exclude(level=AreaLevel.DISTRICT).order_by("code")
