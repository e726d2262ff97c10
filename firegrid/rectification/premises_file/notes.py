"""Notes in a premises file: officers write them; a landlord or a unit liaison reads the public ones."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from firegrid.core.models import AuditAction
from firegrid.core.permissions import Action, can
from firegrid.core.services import record_change, require, require_visible, snapshot
from firegrid.registry.models import Premises

from ..models import PremisesNote
from .timeline import Entry

if TYPE_CHECKING:
    from firegrid.areas.models import User


def may_read_all_notes(user: User) -> bool:
    """Officers read every note of a file they see; a landlord or a unit liaison only the public ones."""
    return can(user, Action.VIEW, PremisesNote)


def _note_rows(premises: Premises, user: User) -> QuerySet[PremisesNote]:
    rows = PremisesNote.objects.filter(premises=premises)
    return rows if may_read_all_notes(user) else rows.filter(public=True)


def _note_entries(pks: list[int], user: User) -> dict[int, Entry]:
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
def add_note(premises: Premises, *, actor: User, text: str, public: bool = False) -> PremisesNote:
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
