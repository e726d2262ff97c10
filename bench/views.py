"""The two baselines every figure is divided by, measured in the same run on the same data.

- `bare`: the cheapest Django response through the full middleware stack (no database, no template).
- `orm_json`: a plain ORM view returning the same 50 premises rows the list and the API show for an area
  (same filter, same ordering, the same joined columns) as JSON, without scope, pagination counts,
  serializers or templates. The API's target is to stay within 1.5x of it.
"""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse

from firegrid.areas.models import Area
from firegrid.registry.models import Premises

ROWS = 50

# The columns the premises list and the API show (the API serializer's fields, joins included).
PREMISES_COLUMNS = (
    "id",
    "building_id",
    "building__address",
    "building__grid_id",
    "building__grid__name",
    "kind",
    "unit_label",
    "business_name",
    "is_shared_rental",
    "floor_from",
    "floor_to",
    "floor_area_m2",
    "landlord_id",
    "landlord__name",
    "status",
    "version",
    "created_at",
    "updated_at",
)


def bare(request):
    return HttpResponse("ok")


def premises_rows(area: Area, rows: int = ROWS):
    """The first `rows` premises of an area in the list's default ordering, as dicts."""
    return (
        Premises.objects.filter(building__grid_id__in=area.grid_ids())
        .order_by(*Premises._meta.ordering)
        .values(*PREMISES_COLUMNS)[:rows]
    )


def orm_json(request):
    area = Area.objects.get(pk=int(request.GET["area"]))
    return JsonResponse({"results": list(premises_rows(area))})
