"""API endpoints that answer with a file (a photo, an attachment): content negotiation and the response."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.files.base import File
from django.http import FileResponse, Http404
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.settings import api_settings

from firegrid.core.responses import photo_field, uploaded_file_response

if TYPE_CHECKING:
    from firegrid.core.photos import AbstractPhoto


class FileNegotiation(BaseContentNegotiation):
    """For endpoints that answer with a file: whatever the client accepts, errors are JSON.

    (DRF would otherwise answer 406 to `Accept: application/pdf`, which no renderer of ours produces.)
    A file has no other format: `…/pdf.json` or `?format=json` is not found, as DRF answers an unknown
    format, rather than a PDF under a JSON name.
    """

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser:
        return next(iter(parsers))

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        override = api_settings.URL_FORMAT_OVERRIDE
        if format_suffix or (override and request.query_params.get(override)):
            raise Http404
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


def file_response(field: File[bytes], filename: str, content_type: str | None = None) -> FileResponse:
    """An uploaded file, as the pages serve it: inline only for an image or a PDF (`uploaded_file_response`)."""
    return uploaded_file_response(field, filename, content_type=content_type)


def photo_file_response(photo: AbstractPhoto, variant: str) -> FileResponse:
    """A photo (Photo, ProofPhoto, WorkPhoto) or its thumbnail as a JPEG file named after it."""
    return file_response(photo_field(photo, variant), f"{photo.pk}-{variant}.jpg", "image/jpeg")
