"""Registry edit forms. Choices of related records are limited to what the editing user may use."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from firegrid.areas.choices import AreaLevel
from firegrid.areas.models import Area, Unit, User
from firegrid.core.masking import MASKERS
from firegrid.core.permissions import Action
from firegrid.core.views import VersionedForm

from .models import OUTSIDE_SCOPE_ID_NUMBER, Building, Landlord, Premises, Room, TenantHousehold

REASON_FIELD = forms.CharField(
    label=_("修改原因"), required=False, max_length=200, help_text=_("选填，记入操作日志。")
)


class RegistryForm(VersionedForm):
    """Base of registry forms. On edit, personal data is not sent to the browser unmasked: its inputs
    start blank and a blank input keeps the stored value."""

    change_reason = REASON_FIELD
    user: User  # registry forms are edit pages' forms: always given the signed-in user

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in self.instance.personal_fields:
                self.fields[name].required = False
                self.fields[name].help_text = _("留空表示不修改（已登记：%(masked)s）") % {
                    "masked": MASKERS[name](getattr(self.instance, name)) or "—"
                }
                self.initial[name] = ""

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.instance.pk:
            for name in self.instance.personal_fields:
                if not data.get(name):
                    data[name] = getattr(self.instance, name)
        return data

    def limit(self, field: str, queryset: QuerySet[Any]) -> None:
        form_field = self.fields.get(field)
        if isinstance(form_field, forms.ModelChoiceField):
            form_field.queryset = queryset


class BuildingForm(RegistryForm):
    class Meta:
        model = Building
        fields = [
            "grid",
            "address",
            "name",
            "floors",
            "height_m",
            "structure",
            "year_built",
            "use",
            "latitude",
            "longitude",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit("grid", Area.objects.visible_to(self.user).filter(level=AreaLevel.GRID))


class PremisesForm(RegistryForm):
    class Meta:
        model = Premises
        fields = [
            "building",
            "kind",
            "unit_label",
            "is_shared_rental",
            "floor_from",
            "floor_to",
            "floor_area_m2",
            "landlord",
            "status",
            "business_name",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        buildings = Building.objects.visible_to(self.user, Action.CHANGE)
        # A district-wide list of buildings is too long for a select: offer the current grid's.
        building_id = self.initial.get("building") or self.data.get("building") or self.instance.building_id
        if self.user.is_district_wide and building_id:
            grid_id = Building.objects.filter(pk=building_id).values_list("grid_id", flat=True).first()
            buildings = buildings.filter(grid_id=grid_id)
        self.limit("building", buildings)
        self.limit("landlord", Landlord.objects.visible_to(self.user))


class RoomForm(RegistryForm):
    class Meta:
        model = Room
        fields = ["premises", "number", "area_m2", "use", "occupants", "has_window"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        premises_id = self.initial.get("premises") or self.data.get("premises") or self.instance.premises_id
        premises = Premises.objects.visible_to(self.user, Action.CHANGE).select_related("building")
        if premises_id:
            premises = premises.filter(building__premises__pk=premises_id)
        self.limit("premises", premises)


class LandlordForm(RegistryForm):
    class Meta:
        model = Landlord
        fields = [
            "name",
            "id_number",
            "mobile",
            "address",
            "area",
            "is_party_member",
            "is_official",
            "is_deputy",
            "is_public_payroll",
            "employer_unit",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit("area", Area.objects.visible_to(self.user).filter(level=AreaLevel.GRID))
        self.limit("employer_unit", Unit.objects.all())
        if not self.instance.pk:
            # A landlord is known by ID number, or else by name and mobile (Landlord.clean says so too).
            self.fields["id_number"].help_text = _("没有身份证号码时须填写手机号码。")

    def clean_id_number(self) -> str:
        # Before the uniqueness check, whose "已存在" would confirm that someone outside the user's
        # scope is a registered landlord. (A field with an error is left out of that check.)
        value = self.cleaned_data.get("id_number", "")
        if value and Landlord.objects.held_outside_scope(self.user, value, exclude_pk=self.instance.pk):
            raise ValidationError(OUTSIDE_SCOPE_ID_NUMBER, code="outside_scope")
        return value


class TenantHouseholdForm(RegistryForm):
    class Meta:
        model = TenantHousehold
        fields = ["premises", "room", "head_name", "id_number", "mobile", "people", "moved_in", "moved_out"]
        widgets = {
            "moved_in": forms.DateInput(attrs={"type": "date"}),
            "moved_out": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        premises_id = self.initial.get("premises") or self.data.get("premises") or self.instance.premises_id
        premises = Premises.objects.visible_to(self.user, Action.CHANGE).select_related("building")
        rooms = Room.objects.visible_to(self.user).select_related("premises__building")
        if premises_id:
            premises = premises.filter(building__premises__pk=premises_id)
            rooms = rooms.filter(premises_id=premises_id)
        self.limit("premises", premises)
        self.limit("room", rooms)
