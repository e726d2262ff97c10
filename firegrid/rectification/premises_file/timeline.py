"""The premises file's timeline: entries, sources and their registry, and the page query (one
``UNION ALL`` over every visible source, see the package docstring)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import CharField, F, Value
from django.db.models.fields.files import FieldFile
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from firegrid.areas.models import User
from firegrid.core.models import AuditEntry
from firegrid.core.permissions import model_label
from firegrid.inspections.models import Hazard
from firegrid.registry.models import Premises

from ..models import EnforcementAction, Plan

PER_PAGE = 20
MAX_PER_PAGE = 200


@dataclass
class Thumb:
    """A photo shown in an entry: its thumbnail and full image URLs (both served through scoped views)
    and the stored thumbnail, which the dossier PDF reads through Django's storage."""

    thumbnail_url: str
    image_url: str
    file: FieldFile | None = None
    label: str = ""


@dataclass
class Entry:
    """One event of a premises file."""

    time: dt.datetime
    kind: str
    title: str
    text: str = ""
    actor: str = ""
    link: str = ""
    photos: list[Thumb] = field(default_factory=list)
    # (code, label) pairs shown as tags; the code picks the colour (.tag-<code>): states, outcomes.
    tags: list[tuple[str, str]] = field(default_factory=list)
    # (field label, before, after) of a registry change, as displayed.
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    source: str = ""
    pk: int = 0

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def kind_icon(self) -> str:
        """One character in the round timeline icon."""
        return str(KIND_ICONS.get(self.kind) or self.kind_label[:1])


@dataclass(frozen=True)
class Source:
    """Where one kind of row in the file comes from (see the module docstring)."""

    key: str
    time_field: str
    rows: Callable[[Premises, User], models.QuerySet[Any] | None]
    build: Callable[[list[int], User], Mapping[int, Entry]]
    # kind → label (and kind → one-character icon) of the entries this source makes.
    kinds: Mapping[str, object] = field(default_factory=dict)
    icons: Mapping[str, object] = field(default_factory=dict)
    dedupe_audit: Callable[[models.QuerySet[AuditEntry]], models.QuerySet[AuditEntry]] | None = None
    audit_kinds: Mapping[str, str] = field(default_factory=dict)


SOURCES: dict[str, Source] = {}
KIND_LABELS: dict[str, object] = {
    "registry": gettext_lazy("登记"),
    "hazard": gettext_lazy("隐患"),
    "plan": gettext_lazy("整改方案"),
    "change": gettext_lazy("修改记录"),
}
KIND_ICONS: dict[str, object] = {
    "registry": gettext_lazy("登"),
    "hazard": gettext_lazy("患"),
    "plan": gettext_lazy("案"),
    "change": gettext_lazy("改"),
}
# Audit entries of these models are shown under these kinds; others of the registry app as "registry".
AUDIT_KINDS: dict[str, str] = {
    model_label(Hazard): "hazard",
    model_label(Plan): "plan",
    model_label(EnforcementAction): "enforcement",
}


def register_source(source: Source) -> None:
    """Add (or replace, by key) a source of the premises file; call it from an AppConfig.ready()."""
    SOURCES[source.key] = source
    KIND_LABELS.update(source.kinds)
    KIND_ICONS.update(source.icons)
    AUDIT_KINDS.update(source.audit_kinds)


@dataclass
class TimelinePage:
    """One page of a premises file, newest first."""

    entries: list[Entry]
    number: int
    per_page: int
    total: int

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def has_next(self) -> bool:
        return self.number * self.per_page < self.total

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def timeline(premises: Premises, user: User, *, page: int = 1, per_page: int = PER_PAGE) -> TimelinePage:
    """A page of the premises' file as this user may see it, newest first.

    The caller has checked that the user may view the premises (``Premises.objects.visible_to``);
    each source then shows only what the user's role may see (the role table) within their scope.
    """
    page, per_page = max(1, int(page)), max(1, min(int(per_page), MAX_PER_PAGE))
    entries, total = _window(premises, user, offset=(page - 1) * per_page, limit=per_page)
    return TimelinePage(entries=entries, number=page, per_page=per_page, total=total)


def _window(premises: Premises, user: User, *, offset: int, limit: int) -> tuple[list[Entry], int]:
    branches: list[models.QuerySet[Any, tuple[dt.datetime, str, int]]] = []
    for source in SOURCES.values():
        rows = source.rows(premises, user)
        if rows is None:
            continue
        branches.append(
            rows.order_by()
            .annotate(
                fg_time=F(source.time_field),
                fg_source=Value(source.key, output_field=CharField()),
                fg_id=F("pk"),
            )
            .values_list("fg_time", "fg_source", "fg_id")
        )
    if not branches:
        return [], 0
    union = branches[0].union(*branches[1:], all=True) if len(branches) > 1 else branches[0]
    total = union.count()
    keys = list(union.order_by("-fg_time", "-fg_source", "-fg_id")[offset : offset + limit])
    wanted: dict[str, list[int]] = {}
    for _time, key, pk in keys:
        wanted.setdefault(key, []).append(pk)
    built = {key: SOURCES[key].build(pks, user) for key, pks in wanted.items()}
    entries: list[Entry] = []
    for _time, key, pk in keys:
        entry = built[key].get(pk)
        if entry is not None:
            entry.source, entry.pk = key, pk
            entries.append(entry)
    return entries, total


def all_entries(premises: Premises, user: User, *, limit: int) -> tuple[list[Entry], int]:
    """The newest `limit` entries and the file's total, for the dossier."""
    return _window(premises, user, offset=0, limit=limit)


# --- helpers ---------------------------------------------------------------------------------------------


def safe_reverse(name: str, *args: object) -> str:
    """A URL, or "" while the page it names does not exist (yet): an entry is still worth showing."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _lines(*parts: object) -> str:
    return "\n".join(str(p) for p in parts if p)


def _user_name(user: User | None) -> str:
    return str(user) if user is not None else ""


def _display(model: type[models.Model] | None, attname: str, value: Any) -> str:
    """A snapshot value as a person reads it: choice labels, 是/否, — for nothing."""
    if value is None or value == "":
        return "—"
    if model is not None:
        for f in model._meta.concrete_fields:
            if attname in (f.attname, f.name):
                if f.choices:
                    return str(dict(f.flatchoices).get(value, value))
                if isinstance(f, models.BooleanField):
                    return _("是") if value else _("否")
                break
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list | dict):
        return "、".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return str(value)
