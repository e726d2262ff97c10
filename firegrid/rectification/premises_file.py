"""The premises file (一户一档): one premises' whole story as one timeline, newest first.

Registry changes, inspections with their photos, hazards found and how their status moved, the plan
and every move of it, the documents issued, enforcement, proof photos, notes — and whatever another
app registers (contractor bookings, see "Sources" below).

One source per event
--------------------
Services write an audit entry with every change, and some events also have rows of their own, so
each kind of event is told by exactly one source and the other one is left out:

* inspections — the submitted ``Inspection`` row (outcome, inspectors, failed items, photos); its audit
  entries (draft started, submitted) would repeat it.
* hazards — their audit entries: a hazard is one row but several events (found, in rectification,
  awaiting acceptance, accepted, voided), and only the audit trail has each change with its time and
  actor.
* plan moves — ``PlanMove`` (move, from → to, reason, new deadline); the plan's audit entries that
  record a move (its creation, every update that changed ``state``) are left out, while its edits
  (deadline, measures, hazards added, a document reissued) stay as audit entries.
* documents, enforcement, proof photos, notes — their rows; the audit entries of their creation are
  left out (a later correction of an enforcement record still shows as an audit entry).
* registry changes (the premises, its rooms, its tenant households) — their audit entries, with the
  changed fields as the snapshots hold them: personal data stays masked.

Reveals of personal data and exports are not part of a premises' story (the operation log keeps them).

Pagination
----------
One ``UNION ALL`` query over every visible source's ``(time, source, id)`` rows for this premises,
ordered newest first with LIMIT/OFFSET, picks the page; a ``COUNT`` over the same union gives the
total; then each source present on the page fetches its rows by id with ``select_related`` /
``prefetch_related`` in a fixed number of queries. The queries per page are therefore bounded by the
number of sources whatever the length of the file, and a deep page reads no more rows than the
first — unlike fetching the newest ``page × per_page`` rows of every source and slicing the merge,
whose rows read grow with the page number.

Sources (how another app adds one)
----------------------------------
A source is a ``Source`` registered with ``register_source``; the outreach app adds its bookings from
its ``AppConfig.ready()`` without touching this module::

    from firegrid.rectification.premises_file import Entry, Source, register_source

    def booking_rows(premises, user):
        # None hides the kind from this user; otherwise this premises' rows, scoped to the user.
        if not can(user, Action.VIEW, Booking):
            return None
        return Booking.objects.visible_to(user).filter(plan__premises=premises)

    def booking_entries(pks, user):
        # {pk: Entry} for the page's rows, in a fixed number of queries (no query per row).
        return {b.pk: Entry(time=b.created_at, kind="booking", title=…, …)
                for b in Booking.objects.filter(pk__in=pks).select_related("slot__contractor")}

    register_source(Source(
        key="booking", time_field="created_at", rows=booking_rows, build=booking_entries,
        kinds={"booking": _("预约施工")},
        # Audit entries this source already tells (here: the booking's creation). Its later changes
        # (done, cancelled) stay as audit entries, shown under the "booking" kind:
        dedupe_audit=lambda qs: qs.exclude(content_type=ContentType.objects.get_for_model(Booking),
                                           action=AuditAction.CREATE),
        audit_kinds={"outreach.booking": "booking"},
    ))

``time_field`` must be a datetime field of the source's model (the union orders by it). ``build`` gets
only the ids the page needs and must return an ``Entry`` for each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import CharField, F, Prefetch, Q, Value
from django.db.models.fields.files import FieldFile
from django.db.models.fields.json import KT
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from firegrid.core.masking import MASKERS
from firegrid.core.models import AuditAction, AuditEntry
from firegrid.core.permissions import Action, can, model_label
from firegrid.core.services import record_change, require, require_visible, snapshot
from firegrid.inspections.choices import BUCKET_STATUSES, AnswerResult, HazardStatus, InspectionStatus
from firegrid.inspections.models import Answer, Hazard, Inspection, Photo
from firegrid.registry.models import Premises

from .models import Document, EnforcementAction, Plan, PlanMove, PremisesNote, ProofPhoto

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

    @property
    def photo_urls(self) -> list[str]:
        return [p.thumbnail_url for p in self.photos]


@dataclass(frozen=True)
class Source:
    """Where one kind of row in the file comes from (see the module docstring)."""

    key: str
    time_field: str
    rows: Callable[[Premises, object], models.QuerySet | None]
    build: Callable[[list[int], object], Mapping[int, Entry]]
    # kind → label (and kind → one-character icon) of the entries this source makes.
    kinds: Mapping[str, object] = field(default_factory=dict)
    icons: Mapping[str, object] = field(default_factory=dict)
    dedupe_audit: Callable[[models.QuerySet], models.QuerySet] | None = None
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


def unregister_source(key: str) -> None:
    SOURCES.pop(key, None)


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


def timeline(premises: Premises, user, *, page: int = 1, per_page: int = PER_PAGE) -> TimelinePage:
    """A page of the premises' file as this user may see it, newest first.

    The caller has checked that the user may view the premises (``Premises.objects.visible_to``);
    each source then shows only what the user's role may see (the role table) within their scope.
    """
    page, per_page = max(1, int(page)), max(1, min(int(per_page), MAX_PER_PAGE))
    entries, total = _window(premises, user, offset=(page - 1) * per_page, limit=per_page)
    return TimelinePage(entries=entries, number=page, per_page=per_page, total=total)


def _window(premises: Premises, user, *, offset: int, limit: int) -> tuple[list[Entry], int]:
    branches = []
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
    entries = []
    for _time, key, pk in keys:
        entry = built[key].get(pk)
        if entry is not None:
            entry.source, entry.pk = key, pk
            entries.append(entry)
    return entries, total


def all_entries(premises: Premises, user, *, limit: int) -> tuple[list[Entry], int]:
    """The newest `limit` entries and the file's total, for the dossier."""
    return _window(premises, user, offset=0, limit=limit)


# --- helpers ---------------------------------------------------------------------------------------------


def safe_reverse(name: str, *args) -> str:
    """A URL, or "" while the page it names does not exist (yet): an entry is still worth showing."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _lines(*parts) -> str:
    return "\n".join(str(p) for p in parts if p)


def _user_name(user) -> str:
    return str(user) if user is not None else ""


def _display(model: type[models.Model] | None, attname: str, value) -> str:
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


# --- audit entries: registry changes, hazards, plan edits ----------------------------------------------------


def _viewable_audit_models(user) -> list[type[models.Model]]:
    # Audit entries are filed under a premises by `premises_for_audit`; each is shown only to roles that
    # may view that kind of record (a unit liaison never sees a tenant household's changes).
    return [m for m in apps.get_models() if hasattr(m, "premises_for_audit") and can(user, Action.VIEW, m)]


def _audit_rows(premises: Premises, user):
    viewable = _viewable_audit_models(user)
    if not viewable:
        return None
    types = ContentType.objects.get_for_models(*viewable, for_concrete_models=False).values()
    rows = AuditEntry.objects.filter(premises=premises, content_type__in=list(types)).exclude(
        action__in=[AuditAction.REVEAL, AuditAction.EXPORT]
    )
    for source in SOURCES.values():
        if source.dedupe_audit is not None:
            rows = source.dedupe_audit(rows)
    return rows


def _audit_kind(model: type[models.Model] | None) -> str:
    if model is None:
        return "change"
    label = model_label(model)
    if label in AUDIT_KINDS:
        return AUDIT_KINDS[label]
    return "registry" if model._meta.app_label == "registry" else "change"


def _hazard_entry(entry: AuditEntry) -> tuple[str, str, list[tuple[str, str]]]:
    before, after = entry.before or {}, entry.after or {}
    status = after.get("status") or before.get("status") or ""
    label = _display(Hazard, "status", status) if status else ""
    tags = [(_bucket(status), label)] if status else []
    if entry.action == AuditAction.CREATE:
        return _("发现隐患：%(hazard)s") % {"hazard": entry.object_repr}, "", tags
    if entry.action == AuditAction.UPDATE and before.get("status") != after.get("status"):
        title = _("隐患%(hazard)s：%(before)s → %(after)s") % {
            "hazard": entry.object_repr,
            "before": _display(Hazard, "status", before.get("status")),
            "after": label,
        }
        text = after.get("void_reason") if status == HazardStatus.VOID else ""
        return title, text or "", tags
    return "", "", tags


def _bucket(status: str) -> str:
    # The colour users know for a hazard status (待整改 red, 待复核 orange, 已消除 green); void has none.
    return next((str(bucket) for bucket, statuses in BUCKET_STATUSES.items() if status in statuses), status)


def _audit_entries(pks: list[int], user) -> dict[int, Entry]:
    result = {}
    for entry in AuditEntry.objects.filter(pk__in=pks).select_related("content_type"):
        model = entry.content_type.model_class()
        kind = _audit_kind(model)
        name = str(model._meta.verbose_name) if model is not None else entry.content_type.model
        title, text, tags, changes = "", "", [], []
        if model is Hazard:
            title, text, tags = _hazard_entry(entry)
        after = entry.after or {}
        if model is Plan and "added_hazards" in after:
            title = _("整改方案新增隐患")
            text = "、".join(after["added_hazards"])
        elif model is Plan and "reissued" in after:
            title = _("重新出具文书 %(serial)s") % {"serial": after["reissued"]}
        if not title:
            title = _("%(action)s%(model)s：%(object)s") % {
                "action": entry.get_action_display(),
                "model": name,
                "object": entry.object_repr,
            }
        if entry.action == AuditAction.UPDATE and entry.before:
            # As AuditEntry.changed_fields, with values as a person reads them (still masked).
            before = entry.before
            changes = [
                (
                    entry.field_label(key),
                    _display(model, key, before.get(key)),
                    _display(model, key, after.get(key)),
                )
                for key in (after or before)
                if before.get(key) != after.get(key)
            ]
        if entry.reason and entry.reason not in text:
            text = _lines(text, _("原因：%(reason)s") % {"reason": entry.reason})
        link = ""
        if entry.action != AuditAction.DELETE and model is not None:
            link = safe_reverse(f"{model._meta.app_label}:{model._meta.model_name}_detail", entry.object_id)
        result[entry.pk] = Entry(
            time=entry.time,
            kind=kind,
            title=title,
            text=text,
            actor=entry.actor_name,
            link=link,
            tags=tags,
            changes=changes,
        )
    return result


def _dedupe_plan_audit(rows):
    # The plan's creation and its moves are told by PlanMove; an update that changed `state` is a move.
    plan_type = ContentType.objects.get_for_model(Plan)
    moved = Q(fg_before_state__isnull=False, fg_after_state__isnull=False) & ~Q(
        fg_before_state=F("fg_after_state")
    )
    return rows.alias(fg_before_state=KT("before__state"), fg_after_state=KT("after__state")).exclude(
        Q(content_type=plan_type) & (Q(action=AuditAction.CREATE) | moved)
    )


def _dedupe(model: type[models.Model], actions=None):
    def dedupe(rows):
        kept = Q(content_type=ContentType.objects.get_for_model(model))
        if actions is not None:
            kept &= Q(action__in=actions)
        return rows.exclude(kept)

    return dedupe


# --- inspections ---------------------------------------------------------------------------------------------


def _inspection_rows(premises: Premises, user):
    if not can(user, Action.VIEW, Inspection):
        return None
    return Inspection.objects.visible_to(user).filter(premises=premises, status=InspectionStatus.SUBMITTED)


def _inspection_entries(pks: list[int], user) -> dict[int, Entry]:
    prefetch = [
        "inspectors",
        "departments",
        Prefetch(
            "answers",
            queryset=Answer.objects.filter(result=AnswerResult.FAIL).select_related("item"),
            to_attr="failed_answers",
        ),
    ]
    show_photos = can(user, Action.VIEW, Photo)
    if show_photos:
        prefetch.append(
            Prefetch("photos", queryset=Photo.objects.order_by("uploaded_at", "id"), to_attr="all_photos")
        )
    result = {}
    for inspection in Inspection.objects.filter(pk__in=pks).prefetch_related(*prefetch):
        failed = [f"{a.item.code} {a.item.title}" for a in inspection.failed_answers]
        departments = "、".join(str(d) for d in inspection.departments.all())
        text = _lines(
            _("不合格项：%(items)s") % {"items": "；".join(failed)} if failed else "",
            _("联合检查：%(departments)s") % {"departments": departments} if departments else "",
            _("回访日期：%(date)s") % {"date": inspection.return_visit_due}
            if inspection.return_visit_due
            else "",
            inspection.note,
        )
        photos = [
            Thumb(p.get_thumbnail_url(), p.get_image_url(), p.thumbnail, p.get_role_display())
            for p in (inspection.all_photos if show_photos else [])
        ]
        result[inspection.pk] = Entry(
            time=inspection.submitted_at,
            kind="inspection",
            title=_("%(kind)s：%(outcome)s")
            % {
                "kind": inspection.get_kind_display(),
                "outcome": inspection.get_outcome_display(),
            },
            text=text,
            actor="、".join(str(u) for u in inspection.inspectors.all()),
            link=safe_reverse("inspections:inspection_detail", inspection.pk),
            photos=photos,
            tags=[(inspection.outcome, inspection.get_outcome_display())]
            + ([("open", _("%(n)s 项不合格") % {"n": len(failed)})] if failed else []),
        )
    return result


# --- plan moves, documents, enforcement, proof photos, notes -------------------------------------------------


def _move_rows(premises: Premises, user):
    if not can(user, Action.VIEW, Plan):
        return None
    return PlanMove.objects.filter(plan__in=Plan.objects.visible_to(user).filter(premises=premises))


def _move_entries(pks: list[int], user) -> dict[int, Entry]:
    result = {}
    for move in PlanMove.objects.filter(pk__in=pks).select_related("inspection"):
        text = _lines(
            _("状态：%(before)s → %(after)s")
            % {"before": move.get_from_state_display(), "after": move.get_to_state_display()}
            if move.from_state
            else "",
            _("新期限：%(date)s") % {"date": move.deadline} if move.deadline else "",
            _("原因：%(reason)s") % {"reason": move.reason} if move.reason else "",
            _("依据检查：%(inspection)s") % {"inspection": move.inspection} if move.inspection_id else "",
        )
        result[move.pk] = Entry(
            time=move.time,
            kind="plan",
            title=_("整改方案：%(move)s") % {"move": move.get_name_display()},
            text=text,
            actor=move.actor_name,
            link=safe_reverse("rectification:plan_detail", move.plan_id),
            tags=[(move.to_state, move.get_to_state_display())],
        )
    return result


def _document_rows(premises: Premises, user):
    if not can(user, Action.VIEW, Document):
        return None
    return Document.objects.visible_to(user).filter(plan__premises=premises)


def _document_entries(pks: list[int], user) -> dict[int, Entry]:
    result = {}
    for document in Document.objects.filter(pk__in=pks).select_related("issued_by", "supersedes"):
        text = _lines(
            _("签署：%(name)s %(time)s")
            % {
                "name": document.signed_name,
                "time": timezone.localtime(document.signed_at).strftime("%Y-%m-%d %H:%M"),
            }
            if document.signed_at
            else "",
            _("替代文书：%(serial)s") % {"serial": document.supersedes.serial}
            if document.supersedes_id
            else "",
        )
        result[document.pk] = Entry(
            time=document.issued_at,
            kind="document",
            title=f"{document.get_kind_display()} {document.serial}",
            text=text,
            actor=_user_name(document.issued_by),
            link=safe_reverse("rectification:document_pdf", document.pk),
            tags=[(document.status, document.get_status_display())],
        )
    return result


def _enforcement_rows(premises: Premises, user):
    if not can(user, Action.VIEW, EnforcementAction):
        return None
    return EnforcementAction.objects.visible_to(user).filter(premises=premises)


def _enforcement_entries(pks: list[int], user) -> dict[int, Entry]:
    result = {}
    rows = EnforcementAction.objects.filter(pk__in=pks).select_related("department", "recorded_by")
    for action in rows.prefetch_related("attachments"):
        attachments = list(action.attachments.all())
        text = _lines(
            _("执法部门：%(department)s，日期：%(date)s")
            % {"department": action.department, "date": action.date},
            _("法律依据：%(basis)s") % {"basis": action.legal_basis} if action.legal_basis else "",
            _("文书编号：%(number)s") % {"number": action.document_number} if action.document_number else "",
            _("罚款：%(amount)s 元") % {"amount": action.fine_amount} if action.fine_amount else "",
            _("期限：%(days)s 天") % {"days": action.period_days} if action.period_days else "",
            _("附件 %(n)s 份") % {"n": len(attachments)} if attachments else "",
            action.note,
        )
        result[action.pk] = Entry(
            # Ordered by when it was recorded (the union needs a date-time); the date it happened is
            # in the text.
            time=action.created_at,
            kind="enforcement",
            title=_("执法：%(kind)s") % {"kind": action.get_kind_display()},
            text=text,
            actor=_user_name(action.recorded_by),
            link=safe_reverse("rectification:plan_detail", action.plan_id) if action.plan_id else "",
            tags=[(action.kind, action.get_kind_display())],
        )
    return result


def _proof_rows(premises: Premises, user):
    if not can(user, Action.VIEW, ProofPhoto):
        return None
    return ProofPhoto.objects.visible_to(user).filter(item__plan__premises=premises)


def _proof_entries(pks: list[int], user) -> dict[int, Entry]:
    result = {}
    for photo in ProofPhoto.objects.filter(pk__in=pks).select_related("item__hazard__item", "uploaded_by"):
        hazard = photo.item.hazard
        result[photo.pk] = Entry(
            time=photo.uploaded_at,
            kind="proof",
            title=_("整改照片：%(hazard)s") % {"hazard": f"{hazard.item.code} {hazard.item.title}"},
            actor=_user_name(photo.uploaded_by),
            link=safe_reverse("rectification:plan_detail", photo.item.plan_id),
            photos=[
                Thumb(
                    safe_reverse("rectification:proof_file", photo.pk, "thumbnail"),
                    safe_reverse("rectification:proof_file", photo.pk, "image"),
                    photo.thumbnail,
                    _("整改后"),
                )
            ],
        )
    return result


def may_read_all_notes(user) -> bool:
    """Officers read every note of a file they see; a landlord or a unit liaison only the public ones."""
    return can(user, Action.VIEW, PremisesNote)


def _note_rows(premises: Premises, user):
    rows = PremisesNote.objects.filter(premises=premises)
    return rows if may_read_all_notes(user) else rows.filter(public=True)


def _note_entries(pks: list[int], user) -> dict[int, Entry]:
    return {
        note.pk: Entry(
            time=note.time,
            kind="note",
            title=_("备注"),
            text=note.text,
            actor=note.author_name,
            tags=[("public", _("房东可见"))] if note.public else [("staff", _("仅工作人员可见"))],
        )
        for note in PremisesNote.objects.filter(pk__in=pks)
    }


@transaction.atomic
def add_note(premises: Premises, *, actor, text: str, public: bool = False) -> PremisesNote:
    """Write a note into the premises' file; officers only (the role table), within their scope."""
    require(actor, Action.ADD, PremisesNote)
    require_visible(premises, actor)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写备注内容。")})
    note = PremisesNote(
        premises=premises, text=text, public=public, author=actor, author_name=str(actor)[:64]
    )
    note.full_clean()
    note.save()
    record_change(actor=actor, action=AuditAction.CREATE, obj=note, after=snapshot(note))
    return note


# --- the dossier PDF -----------------------------------------------------------------------------------------

# A file longer than this prints its most recent entries, and says so in its header table.
DOSSIER_LIMIT = 500
DOSSIER_PHOTOS_PER_ENTRY = 8


def _thumbnail_uri(thumb: Thumb) -> str:
    from firegrid.core.pdf import image_data_uri

    if not thumb.file:
        return ""
    try:
        with thumb.file.storage.open(thumb.file.name, "rb") as f:
            return image_data_uri(f.read(), "image/jpeg")
    except (OSError, ValueError):
        # A lost file must not stop the whole dossier; the entry still prints.
        return ""


def _issuer() -> dict:
    issuer = settings.FIREGRID_ISSUER
    if isinstance(issuer, Mapping):
        return {
            "name": issuer.get("name", ""),
            "department": issuer.get("department", ""),
            "phone": issuer.get("phone", ""),
        }
    return {"name": str(issuer), "department": "", "phone": ""}


def dossier_content(premises: Premises, user, *, limit: int = DOSSIER_LIMIT) -> dict:
    """The premises file as the content of one printed dossier (schema: firegrid.core.pdf), as this user
    may see it: the header facts, the hazards of the open plan, and the newest `limit` entries, oldest
    first, photos as thumbnails read through Django's storage."""
    from firegrid.core.pdf import DOCUMENT_TITLES
    from firegrid.registry.models import Room, TenantHousehold

    from . import documents

    with translation.override(settings.LANGUAGE_CODE):
        entries, total = all_entries(premises, user, limit=limit)
        today = timezone.localdate()
        landlord = premises.landlord
        grid = premises.building.grid
        plan = None
        if can(user, Action.VIEW, Plan):
            plan = Plan.objects.visible_to(user).open().filter(premises=premises).order_by("-pk").first()
        items = (
            list(plan.items.select_related("hazard__item", "hazard__answer").order_by("deadline", "pk"))
            if plan
            else []
        )
        facts = [
            [_("网格"), str(grid)],
            [_("门牌/户号"), premises.unit_label],
            [_("楼层"), f"{premises.floor_from}–{premises.floor_to}"],
            [_("建筑面积"), f"{premises.floor_area_m2} m²"],
            [_("状态"), premises.get_status_display()],
            [_("群租房"), _("是") if premises.is_shared_rental else _("否")],
            [_("房间数"), str(Room.objects.visible_to(user).filter(premises=premises).count())],
        ]
        if can(user, Action.VIEW, TenantHousehold):
            tenants = TenantHousehold.objects.visible_to(user).filter(premises=premises).current().count()
            facts.append([_("在住租户"), _("%(n)s 户") % {"n": tenants}])
        if plan is not None:
            facts.append(
                [
                    _("整改方案"),
                    _("%(state)s，期限 %(date)s")
                    % {"state": plan.get_state_display(), "date": plan.deadline},
                ]
            )
        count = (
            _("共 %(total)s 条，本档案收录最近 %(limit)s 条") % {"total": total, "limit": len(entries)}
            if total > len(entries)
            else _("共 %(total)s 条") % {"total": total}
        )
        facts += [[_("档案记录"), count], [_("打印人"), str(user)]]
        content = {
            "kind": "dossier",
            "title": DOCUMENT_TITLES["dossier"],
            "serial": _("档案编号 %(number)s")
            % {"number": f"{grid.code}-{premises.pk:06d}" if grid.code else f"{premises.pk:06d}"},
            "issuer": _issuer(),
            "issued_on": today.isoformat(),
            "addressee": {
                "name": landlord.name,
                "address": landlord.address,
                "masked_mobile": MASKERS["mobile"](landlord.mobile) if landlord.mobile else "",
            },
            "premises": {"address": str(premises), "kind": premises.get_kind_display()},
            "hazards": [
                {
                    "code": i.hazard.item.code,
                    "title": i.hazard.item.title,
                    "description": i.hazard.answer.note if i.hazard.answer_id else "",
                    "measure": i.measure,
                    "acceptance": i.acceptance,
                    "deadline": i.deadline.isoformat(),
                }
                for i in items
            ],
            "plan_deadline": (plan.deadline if plan else today).isoformat(),
            "legal_basis": [],
            "landlord_url": documents.landlord_url(plan) if plan else "",
            "inspectors": [],
            "facts": facts,
            "entries": [
                {
                    "at": timezone.localtime(e.time).isoformat(timespec="seconds"),
                    "kind": e.kind_label,
                    "title": e.title,
                    "text": _lines(
                        e.text,
                        *(f"{label}：{before} → {after}" for label, before, after in e.changes),
                    ),
                    "actor": e.actor,
                    "thumbnails": [
                        uri for uri in map(_thumbnail_uri, e.photos[:DOSSIER_PHOTOS_PER_ENTRY]) if uri
                    ],
                }
                for e in reversed(entries)
            ],
        }
    return content


register_source(
    Source(
        key="audit",
        time_field="time",
        rows=_audit_rows,
        build=_audit_entries,
        dedupe_audit=_dedupe_plan_audit,
    )
)
register_source(
    Source(
        key="inspection",
        time_field="submitted_at",
        rows=_inspection_rows,
        build=_inspection_entries,
        kinds={"inspection": gettext_lazy("检查")},
        icons={"inspection": gettext_lazy("检")},
        dedupe_audit=_dedupe(Inspection),
    )
)
register_source(Source(key="move", time_field="time", rows=_move_rows, build=_move_entries))
register_source(
    Source(
        key="document",
        time_field="issued_at",
        rows=_document_rows,
        build=_document_entries,
        kinds={"document": gettext_lazy("文书")},
        icons={"document": gettext_lazy("文")},
        dedupe_audit=_dedupe(Document),
    )
)
register_source(
    Source(
        key="enforcement",
        time_field="created_at",
        rows=_enforcement_rows,
        build=_enforcement_entries,
        kinds={"enforcement": gettext_lazy("执法")},
        icons={"enforcement": gettext_lazy("执")},
        dedupe_audit=_dedupe(EnforcementAction, [AuditAction.CREATE]),
    )
)
register_source(
    Source(
        key="proof",
        time_field="uploaded_at",
        rows=_proof_rows,
        build=_proof_entries,
        kinds={"proof": gettext_lazy("整改照片")},
        icons={"proof": gettext_lazy("照")},
        dedupe_audit=_dedupe(ProofPhoto),
    )
)
register_source(
    Source(
        key="note",
        time_field="time",
        rows=_note_rows,
        build=_note_entries,
        kinds={"note": gettext_lazy("备注")},
        icons={"note": gettext_lazy("注")},
        dedupe_audit=_dedupe(PremisesNote),
    )
)
