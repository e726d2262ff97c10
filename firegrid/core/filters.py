"""What every FilterSet shares: the area filter (includes descendants), one `q` search, one `sort`.

The area filter's choices come from the areas app through `firegrid.core.area_tree` (core sits below it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode

import django_filters
from django import forms
from django.db.models import OrderBy, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .area_tree import visible_areas as areas_visible_to
from .ordering import FLAGGED, TODO_FIRST_LABEL, TodoFirst

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from firegrid.areas.models import Area


def filtered_list_url(name: str, **params: object) -> str:
    """The URL of a list with FilterSet parameters: how every figure links to the rows behind it."""
    query = urlencode(params)
    return reverse(name) + (f"?{query}" if query else "")


def visible_areas(request: HttpRequest | None) -> QuerySet[Area]:
    """The area filter's choices: the areas the requesting user may see (none for no one signed in)."""
    return areas_visible_to(request.user if request is not None and request.user.is_authenticated else None)


def _choices(field: forms.ChoiceField) -> Iterable[tuple[Any, Any]]:
    # What the field holds: its setter normalises the choices to pairs (a list, or a lazy iterator for
    # callable choices); the stubs type the getter as the setter's argument.
    return cast(Iterable[tuple[Any, Any]], field.choices)


# The largest key a database id column (bigint) holds.
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A record's id in a query string (`?premises=12`): a whole number from 1 to MAX_ID. Anything else —
    a fraction, 1e149 — is refused as a bad filter value, never handed to the database (where SQLite
    raised OverflowError: a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class AnyYesNo(forms.Select):
    """全部 / 是 / 否 for boolean filters (the default reads 未知, which users took for a value)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))])

    def value_from_datadict(self, data: Mapping[str, Any], files: Any, name: str) -> bool | None:
        value = data.get(name, "")
        return {"true": True, "True": True, "1": True, "false": False, "False": False, "0": False}.get(value)

    # One selected value as a string, as Django's NullBooleanSelect does (its stub ignores the same override).
    def format_value(self, value: Any) -> str:  # type: ignore[override]
        return {True: "true", False: "false"}.get(value, "")


class FiregridFilterSet(django_filters.FilterSet):
    """Base FilterSet. Subclasses set `search_fields` and `area_lookup` (path from the model to its grid id).

    Used by the web list, the API, the .xlsx export and figure drill-downs alike.
    """

    search_fields: tuple[str, ...] = ()
    area_lookup: str | None = None
    # Filters shown in the web search form; the others (e.g. building, landlord) still work from the URL
    # for drill-downs and the API, but a select of every building would be too long to render.
    form_fields: tuple[str, ...] = ()

    q = django_filters.CharFilter(method="filter_q", label=_("关键字"))
    # An area id; the OpenAPI schema cannot tell that from the method, so it is said here.
    area = extend_schema_field(OpenApiTypes.INT)(
        django_filters.ModelChoiceFilter(queryset=visible_areas, method="filter_area", label=_("区域"))
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        for name, flt in self.filters.items():
            # Related-object filters accept only rows the user may see: an out-of-scope id must not
            # be told apart from a missing one.
            if name != "area" and isinstance(flt, django_filters.ModelChoiceFilter):
                queryset = flt.queryset if not callable(flt.queryset) else None
                if queryset is not None and hasattr(queryset, "visible_to") and user is not None:
                    self.form.fields[name].queryset = queryset.visible_to(user)
        for f in self.form.fields.values():
            if isinstance(f, forms.NullBooleanField):
                f.widget = AnyYesNo()
            elif isinstance(f, forms.MultipleChoiceField):
                f.widget = forms.CheckboxSelectMultiple(choices=_choices(f))
            elif isinstance(f, forms.ModelChoiceField):
                f.empty_label = _("全部")
            elif isinstance(f, forms.ChoiceField):
                if hasattr(f, "empty_label"):  # django-filter's ChoiceField builds its blank choice from it
                    f.empty_label = _("全部")
                else:
                    choices = list(_choices(f))
                    if choices and choices[0][0] == "":
                        f.choices = [("", _("全部")), *choices[1:]]
            elif isinstance(f, forms.DateField):
                f.widget = forms.DateInput(attrs={"type": "date"})

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = super().filter_queryset(queryset)
        todo = self.todo_first()
        flag = todo.flag() if todo is not None else None
        if flag is not None:
            # The rows carry their badge whatever order the user chose.
            queryset = queryset.annotate(**{FLAGGED: flag})
        if self.form.cleaned_data.get("sort"):
            return queryset
        return queryset.order_by(*self.default_ordering())

    def todo_first(self) -> TodoFirst | None:
        """The list's 待办优先 order (core/ordering.py) when its rows wait for someone; None keeps the
        plain default order below."""
        return None

    def sort_options(self) -> list[tuple[str, StrOrPromise]]:
        """The sort control's choices: the default order by name, then each order of the `sort` filter."""
        field = self.form.fields.get("sort")
        if field is None:
            return []
        default = TODO_FIRST_LABEL if self.todo_first() is not None else _("默认顺序")
        options: list[tuple[str, StrOrPromise]] = [("", default)]
        ascending: dict[str, StrOrPromise] = {}
        for raw, label in _choices(field):
            value = str(raw)
            if value and not value.startswith("-"):
                ascending[value] = label
            elif value[1:] in ascending:
                # django-filter words "(descending)" once, in the language active at import: here, in
                # the reader's.
                label = gettext("%s (descending)") % ascending[value[1:]]
            if value:
                options.append((value, label))
        return options

    def default_ordering(self) -> Sequence[OrderBy | str]:
        """待办优先 when the list has it (`todo_first`). Otherwise the model's ordering inside an area;
        newest first for a whole-district list.

        Sorting a district's million premises by address for every page took ~0.5–1 s
        (bench/README.md); on the primary key the first page is immediate. Inside an area (and for
        everyone whose scope is an area) the model's ordering, e.g. by address, is cheap and useful.
        """
        todo = self.todo_first()
        if todo is not None:
            return todo.ordering()
        user = getattr(self.request, "user", None)
        area_chosen = self.form.cleaned_data.get("area") is not None
        if user is not None and getattr(user, "is_district_wide", False) and not area_chosen:
            return ["-pk"]
        return list(self.queryset.model._meta.ordering) or ["-pk"]

    def search_form_fields(self) -> list[forms.BoundField]:
        """The bound fields of the web search form, in order."""
        return [self.form[name] for name in self.form_fields if name in self.form.fields]

    def hidden_params(self) -> list[tuple[str, str]]:
        """URL filters not in the search form, kept as hidden inputs so a search does not drop them."""
        shown = {*self.form_fields, "q", "area", "sort"}
        return [
            (name, value)
            for name in self.form.fields
            if name not in shown
            for value in (self.data.getlist(name) if hasattr(self.data, "getlist") else [])
            if value
        ]

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        if not value or not self.search_fields:
            return queryset
        q = Q()
        for field in self.search_fields:
            q |= Q(**{f"{field}__icontains": value})
        return queryset.filter(q)

    def filter_area(self, queryset: QuerySet[Any], name: str, area: Area | None) -> QuerySet[Any]:
        if area is None or self.area_lookup is None:
            return queryset
        # Passing grid ids directly lets the database use the grid index (see docs/architecture.md).
        return queryset.filter(**{f"{self.area_lookup}__in": area.grid_ids()})
