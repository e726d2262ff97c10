"""Documents issued on a plan: serial numbers, the frozen content, and the PDF made from it.

The content is a plain dict taken from the plan at the moment of issue and stored with the document;
the PDF is rendered from that dict alone (deterministically), on issue or on first download, and kept.
Later edits to the plan therefore never change an issued document, and a reprint is the same file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, TypedDict, cast

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import override

from firegrid.core.masking import MASKERS
from firegrid.inspections.choices import CLOSED_STATUSES

from .choices import DocumentKind, DocumentStatus
from .models import Document, Plan, PlanItem, SerialCounter

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.core.pdf import DocumentContent, DocumentKindName, Inspector
    from firegrid.inspections.models import Inspection


class PledgeSignature(TypedDict):
    """The landlord's signature on a pledge: the typed name, when, and from which address."""

    name: str
    at: dt.datetime
    ip: str | None


def allocate_serial(kind: str, year: int) -> str:
    """The next serial for this kind of document this year, e.g. 衢江消整〔2019〕第0001号.

    The counter row is locked, so two notices issued at once never share a number.
    """
    from firegrid.core.pdf import document_serial

    prefix = settings.FIREGRID_DOCUMENT_SERIALS[kind]
    counter, _created = SerialCounter.objects.select_for_update().get_or_create(prefix=prefix, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return document_serial(prefix, year, counter.last)


def landlord_url(plan: Plan) -> str:
    """Where the QR code on a document leads: the plan's page in the landlord portal."""
    return f"{settings.FIREGRID_SITE_URL.rstrip('/')}/portal/plans/{plan.public_key}/"


def _inspectors(users: Iterable[User]) -> list[Inspector]:
    return [{"name": str(u), "badge": ""} for u in users]


def _finders(items: Iterable[PlanItem]) -> list[User]:
    """Who found the plan's hazards: the inspectors of the inspections that recorded them, each person once,
    earliest inspection first. A notice is signed by them (检查人员), not by the officer who issues it."""
    from firegrid.inspections.models import Inspection

    ids = {i.hazard.inspection_id for i in items}
    people: dict[int, User] = {}
    for inspection in (
        Inspection.objects.filter(pk__in=ids).order_by("started_at", "pk").prefetch_related("inspectors")
    ):
        for user in inspection.inspectors.all():
            people.setdefault(user.pk, user)
    return list(people.values())


def build_content(
    plan: Plan,
    kind: str,
    *,
    serial: str,
    issued_on: dt.date,
    signature: PledgeSignature | None = None,
    inspection: Inspection | None = None,
) -> DocumentContent:
    """The document's content as plain JSON data (schema: firegrid.core.pdf), in Chinese whatever the
    user's language: a notice is an official document served on a landlord."""
    from firegrid.core.pdf import DOCUMENT_TITLES

    premises = plan.premises
    landlord = plan.landlord
    items = list(plan.items.select_related("hazard__item", "hazard__answer").order_by("deadline", "pk"))
    with override("zh-hans"):
        content: DocumentContent = {
            # One of DocumentKind's values, which are the schema's kinds.
            "kind": cast("DocumentKindName", kind),
            "title": DOCUMENT_TITLES[kind],
            "serial": serial,
            "issuer": {
                "name": settings.FIREGRID_ISSUER,
                "department": str(plan.officer.department or "") if plan.officer.department_id else "",
                "phone": settings.FIREGRID_ISSUER_PHONE,
            },
            "issued_on": issued_on.isoformat(),
            "addressee": {
                "name": landlord.name if landlord else "",
                "address": landlord.address if landlord else "",
                "masked_mobile": MASKERS["mobile"](landlord.mobile) if landlord and landlord.mobile else "",
            },
            "premises": {"address": str(premises), "kind": premises.get_kind_display()},
            "hazards": [
                {
                    "code": i.hazard.item.code,
                    "title": i.hazard.item.title,
                    "description": (i.hazard.answer.note if i.hazard.answer is not None else "") or "",
                    "measure": i.measure,
                    "acceptance": i.acceptance,
                    "deadline": i.deadline.isoformat(),
                }
                for i in items
            ],
            "plan_deadline": plan.deadline.isoformat(),
            "legal_basis": list(settings.FIREGRID_LEGAL_BASIS.get(kind, [])),
            "landlord_url": landlord_url(plan),
            "inspectors": _inspectors([plan.officer]),
        }
        if kind in (DocumentKind.NOTICE, DocumentKind.ORDER):
            # The officer signs only when no inspection names anyone (hazards recorded without inspectors).
            content["inspectors"] = _inspectors(_finders(items)) or content["inspectors"]
        notice = (
            plan.documents.filter(
                kind__in=[DocumentKind.NOTICE, DocumentKind.ORDER], status=DocumentStatus.ISSUED
            )
            .order_by("-issued_at")
            .first()
        )
        if kind in (DocumentKind.NOTICE, DocumentKind.ORDER):
            found = min((i.hazard.found_at for i in items), default=None)
            content["inspected_on"] = timezone.localdate(found).isoformat() if found else None
        elif kind == DocumentKind.PLEDGE:
            content["notice_serial"] = notice.serial if notice else ""
            content["signature"] = (
                {
                    "name": signature["name"],
                    "signed_at": timezone.localtime(signature["at"]).isoformat(timespec="seconds"),
                    "ip": signature.get("ip") or "",
                }
                if signature
                else None
            )
        elif kind == DocumentKind.ACCEPTANCE:
            passed = {i.pk: i.hazard.status in CLOSED_STATUSES for i in items}
            for row, item in zip(content["hazards"], items, strict=True):
                row["passed"], row["note"] = passed[item.pk], ""
            content["notice_serial"] = notice.serial if notice else ""
            if inspection is not None:
                content["inspectors"] = _inspectors(inspection.inspectors.all()) or content["inspectors"]
            accepted_on = (
                timezone.localdate(inspection.submitted_at)
                if inspection and inspection.submitted_at
                else issued_on
            )
            content["result"] = {
                "accepted_on": accepted_on.isoformat(),
                "passed": all(passed.values()),
                "remarks": "",
            }
    return content


@transaction.atomic
def issue(
    plan: Plan,
    kind: str,
    *,
    actor: User | None,
    signature: PledgeSignature | None = None,
    inspection: Inspection | None = None,
    supersedes: Document | None = None,
) -> Document:
    now = timezone.now()
    today = timezone.localdate(now)
    serial = allocate_serial(kind, today.year)
    content = build_content(
        plan, kind, serial=serial, issued_on=today, signature=signature, inspection=inspection
    )
    document = Document(
        plan=plan,
        kind=kind,
        serial=serial,
        content=content,
        issued_at=now,
        issued_by=actor if getattr(actor, "pk", None) else None,
        supersedes=supersedes,
    )
    if signature:
        document.signed_name, document.signed_at, document.signed_ip = (
            signature["name"],
            signature["at"],
            signature.get("ip") or None,
        )
    document.save()
    if settings.FIREGRID_RENDER_ON_ISSUE:
        transaction.on_commit(lambda: pdf_bytes(document))
    return document


def render(document: Document) -> bytes:
    from firegrid.core.pdf import render_document

    return render_document(document.content)


def pdf_bytes(document: Document) -> bytes:
    """The document's PDF: rendered from its frozen content the first time, then always the kept file."""
    if document.pdf:
        with document.pdf.open("rb") as f:
            return f.read()
    data = render(document)
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if not locked.pdf:
            locked.sha256 = hashlib.sha256(data).hexdigest()
            locked.pdf.save(f"{locked.pk}.pdf", ContentFile(data), save=False)
            locked.save(update_fields=["pdf", "sha256"])
        document.pdf, document.sha256 = locked.pdf, locked.sha256
    return data
