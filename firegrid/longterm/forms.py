"""The work queue's query: the worker's position (optional), the page, and for officers a grid and a kind."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from firegrid.areas.choices import AreaLevel
from firegrid.areas.models import Area, User
from firegrid.core.validators import validate_latitude, validate_longitude

from .queue import Origin, kind_qs


def grids_in_scope(user: User) -> Any:
    grids = Area.objects.filter(level=AreaLevel.GRID).order_by("code")
    return grids if user.scope_grid_ids is None else grids.filter(pk__in=user.scope_grid_ids)


class QueueQueryForm(forms.Form):
    """`lat`/`lng` come from the browser's geolocation when the user allows it: optional evidence of where
    the route starts, never stored."""

    lat = forms.DecimalField(
        label=_("纬度"), required=False, max_digits=9, decimal_places=6, validators=[validate_latitude]
    )
    lng = forms.DecimalField(
        label=_("经度"), required=False, max_digits=9, decimal_places=6, validators=[validate_longitude]
    )
    page = forms.IntegerField(label=_("页码"), required=False, min_value=1, max_value=100_000)
    grid = forms.ModelChoiceField(label=_("网格"), queryset=Area.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("任务类型"), required=False)

    def __init__(self, *args: Any, user: User, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        grid_field = self.fields["grid"]
        assert isinstance(grid_field, forms.ModelChoiceField)
        grid_field.queryset = grids_in_scope(user)
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = [("", "")] + [(k, k) for k in kind_qs(today)]

    def origin(self) -> Origin | None:
        lat, lng = self.cleaned_data.get("lat"), self.cleaned_data.get("lng")
        if lat is None or lng is None:
            return None
        return (float(lat), float(lng))

    def query(self) -> dict[str, Any]:
        """The arguments of `work_queue` (defaults for what is missing or malformed on a page)."""
        data = self.cleaned_data if self.is_valid() else {}
        grid = data.get("grid")
        return {
            "origin": self.origin() if data else None,
            "page": data.get("page") or 1,
            "grid_ids": [grid.pk] if grid is not None else None,
            "kind": data.get("kind") or "",
        }
