"""The baselines every figure is divided by, measured in the same run on the same data.

- `bare`: the cheapest Django response through the full middleware stack (no database, no template).
- `orm_json`: a plain ORM view returning the same 50 premises rows the list and the API show for an area
  (same filter, same ordering, the same joined columns) as JSON, without scope, pagination counts,
  serializers or templates. The API's target is to stay within 1.5x of it.
- `orm_json_hazards`: the same for the hazard list (the 50 hazards it shows for an area, its columns).
- `orm_json_queue`: the premises a work-queue page shows (their ids given, in the page's order) in one plain
  ORM query with the queue's columns — no scope, no sources, no route, no template (bench/longterm.py);
  `orm_json_queue_grids`: an officer's grids in code order with the premises due for re-inspection in each.
- `upload`: receives a multipart photo upload (parsed, each file read to the end) and answers "ok":
  what taking the photos of an inspection costs before any work is done on them.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from firegrid.areas.models import Area
from firegrid.inspections.filters import HazardFilterSet
from firegrid.inspections.models import Hazard
from firegrid.registry.models import Premises
from firegrid.risk.models import PremisesGrade

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


# The columns the hazard list and the API show (HazardSerializer's fields, joins included).
HAZARD_COLUMNS = (
    "id",
    "premises_id",
    "premises__unit_label",
    "building_id",
    "building__address",
    "building__grid_id",
    "building__grid__name",
    "item_id",
    "item__code",
    "item__title",
    "item__category",
    "severity",
    "status",
    "found_at",
    "deadline",
    "closed_at",
    "inspection_id",
    "closed_by_id",
    "void_reason",
    "version",
    "created_at",
    "updated_at",
)


def hazard_rows(area: Area, rows: int = ROWS):
    """The first `rows` hazards of an area in the list's default order (待办优先: recheck requests, then open
    hazards by deadline, then closed ones; newest found first inside each)."""
    return (
        Hazard.objects.filter(building__grid_id__in=area.grid_ids())
        .order_by(*HazardFilterSet(queryset=Hazard.objects.none()).todo_first().ordering())
        .values(*HAZARD_COLUMNS)[:rows]
    )


def orm_json_hazards(request):
    area = Area.objects.get(pk=int(request.GET["area"]))
    return JsonResponse({"results": list(hazard_rows(area))})


# The queue's columns: the premises list's and the grade, due date and position a queue item shows.
QUEUE_COLUMNS = (
    *PREMISES_COLUMNS,
    "building__latitude",
    "building__longitude",
    "risk_grade__grade",
    "risk_grade__next_due",
    "risk_grade__reasons",
)


def orm_json_queue(request):
    ids = [int(pk) for pk in request.GET["ids"].split(",") if pk]
    rows = {row["id"]: row for row in Premises.objects.filter(pk__in=ids).values(*QUEUE_COLUMNS)}
    return JsonResponse({"results": [rows[pk] for pk in ids if pk in rows]})


def orm_json_queue_grids(request):
    area = Area.objects.get(pk=int(request.GET["area"]))
    today = dt.date.fromisoformat(request.GET["today"])
    grid_ids = area.grid_ids()
    due = dict(
        PremisesGrade.objects.filter(premises__building__grid_id__in=grid_ids, next_due__lte=today)
        .order_by()
        .values_list("premises__building__grid_id")
        .annotate(n=Count("pk"))
    )
    grids = Area.objects.filter(pk__in=grid_ids).order_by("code").values("id", "code", "name")
    return JsonResponse({"results": [{**grid, "due": due.get(grid["id"], 0)} for grid in grids]})


@csrf_exempt
def upload(request):
    for upload in request.FILES.values():
        while upload.read(1 << 20):
            pass
    return HttpResponse("ok")
