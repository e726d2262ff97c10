"""The sources rectification gives the premises file (its audit entries, inspections, plan moves,
documents, enforcement, proof photos, notes), registered when the package is imported."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from firegrid.core.models import AuditAction
from firegrid.core.permissions import Action, can
from firegrid.inspections.choices import AnswerResult, InspectionStatus
from firegrid.inspections.models import Answer, Inspection, Photo
from firegrid.registry.models import Premises

from ..models import Document, EnforcementAction, Plan, PlanMove, PremisesNote, ProofPhoto
from .audit import _audit_entries, _audit_rows, _dedupe, _dedupe_plan_audit
from .notes import _note_entries, _note_rows
from .timeline import Entry, Source, Thumb, _lines, _user_name, register_source, safe_reverse

if TYPE_CHECKING:
    from firegrid.areas.models import User

# --- inspections ---------------------------------------------------------------------------------------------


def _inspection_rows(premises: Premises, user: User) -> QuerySet[Inspection] | None:
    if not can(user, Action.VIEW, Inspection):
        return None
    return Inspection.objects.visible_to(user).filter(premises=premises, status=InspectionStatus.SUBMITTED)


def _inspection_entries(pks: list[int], user: User) -> dict[int, Entry]:
    prefetch: list[str | Prefetch[Any, Any, Any]] = [
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
    result: dict[int, Entry] = {}
    for inspection in Inspection.objects.filter(pk__in=pks).prefetch_related(*prefetch):
        # Set by the Prefetch(to_attr=…) above, which the stubs cannot follow.
        failed_answers: list[Answer] = inspection.failed_answers  # type: ignore[attr-defined]
        failed = [str(a.item) for a in failed_answers]
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
            for p in (inspection.all_photos if show_photos else [])  # type: ignore[attr-defined]  # as above
        ]
        assert inspection.submitted_at is not None  # the file lists submitted inspections only
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


def _move_rows(premises: Premises, user: User) -> QuerySet[PlanMove] | None:
    if not can(user, Action.VIEW, Plan):
        return None
    return PlanMove.objects.filter(plan__in=Plan.objects.visible_to(user).filter(premises=premises))


def _move_entries(pks: list[int], user: User) -> dict[int, Entry]:
    result: dict[int, Entry] = {}
    for move in PlanMove.objects.filter(pk__in=pks).select_related("inspection"):
        text = _lines(
            _("状态：%(before)s → %(after)s")
            % {"before": move.get_from_state_display(), "after": move.get_to_state_display()}
            if move.from_state
            else "",
            _("新期限：%(date)s") % {"date": move.deadline} if move.deadline else "",
            _("原因：%(reason)s") % {"reason": move.reason_text} if move.reason else "",
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


def _document_rows(premises: Premises, user: User) -> QuerySet[Document] | None:
    if not can(user, Action.VIEW, Document):
        return None
    return Document.objects.visible_to(user).filter(plan__premises=premises)


def _document_entries(pks: list[int], user: User) -> dict[int, Entry]:
    result: dict[int, Entry] = {}
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
            if document.supersedes is not None
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


def _enforcement_rows(premises: Premises, user: User) -> QuerySet[EnforcementAction] | None:
    if not can(user, Action.VIEW, EnforcementAction):
        return None
    return EnforcementAction.objects.visible_to(user).filter(premises=premises)


def _enforcement_entries(pks: list[int], user: User) -> dict[int, Entry]:
    result: dict[int, Entry] = {}
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


def _proof_rows(premises: Premises, user: User) -> QuerySet[ProofPhoto] | None:
    if not can(user, Action.VIEW, ProofPhoto):
        return None
    return ProofPhoto.objects.visible_to(user).filter(item__plan__premises=premises)


def _proof_entries(pks: list[int], user: User) -> dict[int, Entry]:
    result: dict[int, Entry] = {}
    for photo in ProofPhoto.objects.filter(pk__in=pks).select_related("item__hazard__item", "uploaded_by"):
        hazard = photo.item.hazard
        result[photo.pk] = Entry(
            time=photo.uploaded_at,
            kind="proof",
            title=_("整改照片：%(hazard)s") % {"hazard": str(hazard.item)},
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


def register_builtin_sources() -> None:
    """Register rectification's own sources (the package does on import; registering again replaces)."""
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
