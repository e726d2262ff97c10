from django.contrib import admin

from firegrid.core.admin import AuditedAdmin

from .models import Building, Landlord, Premises, Room, TenantHousehold


@admin.register(Building)
class BuildingAdmin(AuditedAdmin):
    list_display = ("address", "name", "grid", "floors")
    search_fields = ("address", "name")
    autocomplete_fields = ("grid",)
    list_select_related = ("grid",)


@admin.register(Premises)
class PremisesAdmin(AuditedAdmin):
    list_display = ("__str__", "kind", "is_shared_rental", "status")
    list_filter = ("kind", "status", "is_shared_rental")
    search_fields = ("building__address", "unit_label", "business_name")
    autocomplete_fields = ("building", "landlord")
    list_select_related = ("building",)


@admin.register(Room)
class RoomAdmin(AuditedAdmin):
    list_display = ("number", "premises", "area_m2", "use", "occupants")
    search_fields = ("number", "premises__building__address")
    autocomplete_fields = ("premises",)
    list_select_related = ("premises__building",)


@admin.register(Landlord)
class LandlordAdmin(AuditedAdmin):
    list_display = (
        "name",
        "employer_unit",
        "is_party_member",
        "is_official",
        "is_deputy",
        "is_public_payroll",
    )
    list_filter = ("is_party_member", "is_official", "is_deputy", "is_public_payroll")
    # An ID number is found by the whole number only: a partial search would spell it out digit by digit.
    search_fields = ("name", "=id_number")
    autocomplete_fields = ("employer_unit", "area")


@admin.register(TenantHousehold)
class TenantHouseholdAdmin(AuditedAdmin):
    list_display = ("head_name", "premises", "people", "moved_in", "moved_out")
    search_fields = ("head_name", "=id_number")  # the whole number only, as for landlords
    autocomplete_fields = ("premises", "room")
    list_select_related = ("premises__building",)
