"""The device form (登记设备 / 修改设备) and the close form of an alert case (outcome and note; the version
read)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from firegrid.areas.models import User
from firegrid.core.filters import MAX_ID
from firegrid.core.views import VersionedForm
from firegrid.registry.forms import REASON_FIELD
from firegrid.registry.models import Premises, Room

from .choices import CaseOutcome
from .models import Device


class CloseCaseForm(forms.Form):
    # A drop-down: the shared field template (core/_field.html) lays out one input per field, not radio lists.
    outcome = forms.ChoiceField(label=_("核查结论"), choices=[("", "—"), *CaseOutcome.choices])
    note = forms.CharField(label=_("处置说明"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


# The serial is unique across the district: said on its field, in words a grid worker reads (Django's
# own "具有 … 的传感器已存在" reads like a system error). Names nothing about where it is registered.
SERIAL_TAKEN = _("该设备编号已登记，不能重复登记。请核对设备上的编号。")
# A premises id not among the user's (a forged or stale one): refused on its field, never a 500.
PREMISES_NOT_YOURS = _("请从列表中选择您管辖范围内的出租户。")
# A room of another premises: the model's own message (Device.clean), also when the room is not offered.
ROOM_NOT_IN_PREMISES = _("房间不属于所选出租户。")


def _record_id(value: Any) -> int | None:
    """A record id from the query string or the posted form ("12"), or None for anything else."""
    text = str(getattr(value, "pk", value) or "")
    return int(text) if text.isdigit() and 0 < int(text) <= MAX_ID else None


class DeviceForm(VersionedForm):
    """登记设备 / 修改设备: the premises among the user's (a select, as the registry forms), the room among
    the chosen premises' rooms. Written through `core.services` like the API (`create_record` /
    `update_record`: role, scope re-check, audit, version check)."""

    change_reason = REASON_FIELD
    user: User  # an edit page's form: always given the signed-in user

    class Meta:
        model = Device
        fields = [
            "kind",
            "serial",
            "premises",
            "room",
            "device_model",
            "installer",
            "installed_on",
            "heartbeat_interval",
        ]
        widgets = {"installed_on": forms.DateInput(attrs={"type": "date"})}
        error_messages = {
            "serial": {"unique": SERIAL_TAKEN},
            "premises": {"invalid_choice": PREMISES_NOT_YOURS},
            "room": {"invalid_choice": ROOM_NOT_IN_PREMISES},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            del self.fields["change_reason"]  # a reason is for a change; a registration is its own record
        # The premises the page is about: the one posted, else the one given (?premises=12) or stored.
        if self.is_bound:
            premises_id = _record_id(self.data.get("premises"))
        else:
            premises_id = _record_id(self.initial.get("premises")) or self.instance.premises_id
        premises = Premises.objects.visible_to(self.user).select_related("building")
        if self.user.is_district_wide and premises_id:
            # A district-wide list is too long for a select: offer the chosen premises' grid.
            grid_id = (
                Premises.objects.filter(pk=premises_id).values_list("building__grid_id", flat=True).first()
            )
            premises = premises.filter(building__grid_id=grid_id)
        rooms = Room.objects.visible_to(self.user).select_related("premises__building")
        if premises_id:
            rooms = rooms.filter(premises_id=premises_id)
        self._limit("premises", premises)
        self._limit("room", rooms)

    def _limit(self, field: str, queryset: QuerySet[Any]) -> None:
        form_field = self.fields[field]
        assert isinstance(form_field, forms.ModelChoiceField)
        form_field.queryset = queryset
