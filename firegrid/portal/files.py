"""Files the portal serves from other apps, found inside the landlord's scope (anyone else's: 404): the
photos an inspection took of their hazards (shown on the plan page) and the certificates of their
文明家庭 / 文明商户 nominations (on the points page). The same files the staff pages serve, under the
portal's own URLs, so a landlord never follows a link into the back office."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from django.views import View

from firegrid.core.responses import image_response, pdf_response
from firegrid.inspections.models import Photo
from firegrid.points import evaluation
from firegrid.points.models import Nomination

from .views import PortalMixin

if TYPE_CHECKING:
    from firegrid.core.http import AuthedHttpRequest


class EvidencePhotoFileView(PortalMixin, View):
    """A photo taken at an inspection of the landlord's premises, or its thumbnail."""

    request: AuthedHttpRequest

    def get(self, request: AuthedHttpRequest, pk: int, variant: str) -> FileResponse:
        photo = get_object_or_404(Photo.objects.visible_to(request.user), pk=pk)
        return image_response(photo, variant)


class CertificatePdfView(PortalMixin, View):
    """The landlord's own certificate (荣誉证书) as a PDF: the same file on every print."""

    request: AuthedHttpRequest

    def get(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        nomination = get_object_or_404(
            Nomination.objects.visible_to(request.user).select_related("evaluation"), pk=pk
        )
        return pdf_response(evaluation.certificate_pdf(nomination), f"{nomination.serial}.pdf", max_age=86400)
