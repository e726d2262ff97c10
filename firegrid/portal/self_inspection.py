"""房东自查 in the portal: the landlord's premises with this period's self-inspection status, and the phone
form (one big yes/no per self-check item, a camera button for the items that ask for a photo) that submits
one. What it writes is the long-term mechanism's (`longterm.services.submit_self_inspection`).

No script: the form posts everything at once (multipart). When something is refused, the page comes back
with every answer still chosen, the error beside its item in words, and the photos that passed kept (shown
as thumbnails: the same form's next post needs only what was missing).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from firegrid.core.tables import enumerate_items
from firegrid.inspections.models import ChecklistItem
from firegrid.longterm import services as longterm
from firegrid.longterm.choices import SelfCheckResult
from firegrid.longterm.models import SelfInspection, SelfInspectionPhoto
from firegrid.longterm.selfcheck import PHOTO_CODES, period_of, self_check_items
from firegrid.registry.choices import PremisesStatus
from firegrid.registry.models import Premises

from .views import PortalMixin

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from firegrid.core.http import AuthedHttpRequest


class SelfInspectionListView(PortalMixin, TemplateView):
    """Each of the landlord's premises with this period's self-inspection: to do, or its status."""

    template_name = "portal/self_inspection.html"
    request: AuthedHttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        period = period_of(timezone.localdate())
        premises = list(
            Premises.objects.visible_to(self.request.user)
            .exclude(status=PremisesStatus.DEMOLISHED)
            .select_related("building")
        )
        done = {
            row.premises_id: row
            for row in SelfInspection.objects.visible_to(self.request.user).filter(
                period=period, premises__in=premises
            )
        }
        context.update(
            period=period,
            rows=[(p, done.get(p.pk), p.status == PremisesStatus.ACTIVE) for p in premises],
        )
        return context


@dataclass
class FormRow:
    """One item of the form: the answer chosen, whether it asks for a photo, the photo kept from an earlier
    try, and what was refused."""

    item: ChecklistItem
    answer: str = ""
    asks_photo: bool = False
    kept_photo: SelfInspectionPhoto | None = None
    errors: list[str] = field(default_factory=list)


def photo_input(code: str) -> str:
    """The form's file input of an item's photo."""
    return f"photo-{code}"


class SelfInspectionFormView(PortalMixin, View):
    """The self-check list of one premises as a phone form: a yes/no per item and a photo where the item
    asks for one, submitted once per period (the hidden client_uuid makes a second tap or a resend the same
    submission, and keeps the photos of a refused try)."""

    template_name = "portal/self_inspection_form.html"
    request: AuthedHttpRequest

    def _premises(self, pk: int) -> Premises:
        return get_object_or_404(
            Premises.objects.visible_to(self.request.user).select_related("building"), pk=pk
        )

    def _kept_photos(self, premises: Premises, client_uuid: str) -> dict[str, SelfInspectionPhoto]:
        try:
            key = uuid.UUID(client_uuid)
        except ValueError:
            return {}
        photos = SelfInspectionPhoto.objects.visible_to(self.request.user).pending()
        return {p.item_code: p for p in photos.filter(premises=premises, client_uuid=key)}

    def _render(
        self,
        request: HttpRequest,
        premises: Premises,
        items: list[ChecklistItem],
        *,
        client_uuid: str = "",
        chosen: dict[str, str] | None = None,
        item_errors: dict[str, list[str]] | None = None,
        errors: list[str] | None = None,
        status: int = 200,
    ) -> HttpResponse:
        chosen, item_errors = chosen or {}, item_errors or {}
        kept = self._kept_photos(premises, client_uuid) if client_uuid else {}
        rows = [
            FormRow(
                item=item,
                answer=chosen.get(item.code, ""),
                asks_photo=item.code in PHOTO_CODES,
                kept_photo=kept.get(item.code),
                errors=item_errors.get(item.code, []),
            )
            for item in items
        ]
        context = {
            "premises": premises,
            "period": period_of(timezone.localdate()),
            "rows": rows,
            "client_uuid": client_uuid or uuid.uuid4(),
            "errors": errors or [],
            "results": SelfCheckResult,
        }
        return render(request, self.template_name, context, status=status)

    def _already_done(self, premises: Premises) -> bool:
        period = period_of(timezone.localdate())
        return SelfInspection.objects.filter(premises=premises, period=period).exists()

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        premises = self._premises(pk)
        if self._already_done(premises):
            messages.info(request, _("该出租房屋本月已完成自查。"))
            return redirect(reverse("portal:self_inspection"))
        return self._render(request, premises, self_check_items(premises))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        premises = self._premises(pk)
        items = self_check_items(premises)
        chosen = {item.code: request.POST.get(f"item-{item.code}", "") for item in items}
        photos: dict[str, UploadedFile] = {}
        for item in items:
            upload = request.FILES.get(photo_input(item.code)) if item.code in PHOTO_CODES else None
            if upload is not None:
                photos[item.code] = upload
        client_uuid = request.POST.get("client_uuid", "")
        # The service is called even with items unanswered: it keeps the photos that pass, and says
        # everything that is wrong at once.
        answers = {code: value for code, value in chosen.items() if value}
        try:
            longterm.submit_self_inspection(
                premises, answers, actor=self.request.user, client_uuid=client_uuid, photos=photos
            )
        except ValidationError as exc:
            item_errors, errors = self._errors(exc, items, chosen)
            return self._render(
                request,
                premises,
                items,
                client_uuid=client_uuid,
                chosen=chosen,
                item_errors=item_errors,
                errors=errors,
                status=400,
            )
        messages.success(request, _("本月自查已提交，谢谢！"))
        return redirect(reverse("portal:self_inspection"))

    @staticmethod
    def _errors(
        exc: ValidationError, items: list[ChecklistItem], chosen: dict[str, str]
    ) -> tuple[dict[str, list[str]], list[str]]:
        """The refusal as the page shows it: each photo's beside its item, the rest at the top (unanswered
        items named by their titles, each also marked)."""
        item_errors: dict[str, list[str]] = {}
        errors: list[str] = []
        unanswered = [item for item in items if chosen[item.code] not in SelfCheckResult.values]
        if unanswered:
            errors.append(
                _("请回答每一项：%(items)s") % {"items": enumerate_items(i.title for i in unanswered)}
            )
            for item in unanswered:
                item_errors[item.code] = [_("请选择“是”或“否”。")]
        messages_by_field = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        for key, texts in messages_by_field.items():
            code = key.removeprefix("photos.") if key.startswith("photos.") else None
            if code is not None:
                item_errors.setdefault(code, []).extend(texts)
            elif key != "answers" or not unanswered:
                errors.extend(texts)
        return item_errors, errors
