"""The incident form (登记火警火灾): what the fire service recorded; the address is matched on save."""

from __future__ import annotations

from typing import Any

from django import forms

from firegrid.areas.choices import AreaLevel
from firegrid.areas.models import Area
from firegrid.core.views import VersionedForm
from firegrid.registry.forms import REASON_FIELD

from .models import FireIncident


class FireIncidentForm(VersionedForm):
    change_reason = REASON_FIELD

    class Meta:
        model = FireIncident
        fields = [
            "reference",
            "occurred_at",
            "kind",
            "cause",
            "address",
            "area",
            "deaths",
            "injuries",
            "loss_yuan",
            "note",
        ]
        widgets = {"occurred_at": forms.DateTimeInput(attrs={"type": "datetime-local"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            del self.fields["change_reason"]
        area = self.fields["area"]
        assert isinstance(area, forms.ModelChoiceField)
        area.queryset = Area.objects.exclude(level=AreaLevel.DISTRICT).order_by("code")
