"""Files the portal serves, found inside the landlord's scope (anyone else's: 404): the photos of their
records (an inspection's of their hazards, their after-photos, their self-inspections') and the certificates of their
文明家庭 / 文明商户 nominations (on the points page). The same files the staff pages serve, under the
portal's own URLs, so a landlord never follows a link into the back office."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from django.views import View

from firegrid.core.responses import image_response, pdf_response
from firegrid.inspections.models import Photo
from firegrid.longterm.models import SelfInspectionPhoto
from firegrid.points import evaluation
from firegrid.points.models import Nomination
from firegrid.rectification.models import ProofPhoto

from .views import PortalMixin

if TYPE_CHECKING:
    from firegrid.core.http import AuthedHttpRequest


class PhotoFileView(PortalMixin, View):
    """A photo of the landlord's own records, or its thumbnail: one an inspection took of their hazards, an
    after-photo they sent, a self-inspection's (a kept one included). `model` says which; anyone else's is
    not found."""

    model: type[Photo] | type[ProofPhoto] | type[SelfInspectionPhoto] = Photo
    request: AuthedHttpRequest

    def get(self, request: AuthedHttpRequest, pk: int, variant: str) -> FileResponse:
        photo = get_object_or_404(self.model.objects.visible_to(request.user), pk=pk)
        return image_response(photo, variant)


class CertificatePdfView(PortalMixin, View):
    """The landlord's own certificate (荣誉证书) as a PDF: the same file on every print."""

    request: AuthedHttpRequest

    def get(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        nomination = get_object_or_404(
            Nomination.objects.visible_to(request.user).select_related("evaluation"), pk=pk
        )
        return pdf_response(evaluation.certificate_pdf(nomination), f"{nomination.serial}.pdf", max_age=86400)
