"""API endpoints that answer with a file (a photo, an attachment): content negotiation and the response."""

from __future__ import annotations

import mimetypes

from django.http import FileResponse
from django.utils.http import content_disposition_header
from rest_framework.negotiation import BaseContentNegotiation

from firegrid.core.responses import PHOTO_MAX_AGE, photo_field


class FileNegotiation(BaseContentNegotiation):
    """For endpoints that answer with a file: whatever the client accepts, errors are JSON.

    (DRF would otherwise answer 406 to `Accept: application/pdf`, which no renderer of ours produces.)
    """

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def file_response(field, filename: str, content_type: str | None = None) -> FileResponse:
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = FileResponse(field.open("rb"), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["Cache-Control"] = f"private, max-age={PHOTO_MAX_AGE}"
    return response


def photo_file_response(photo, variant: str) -> FileResponse:
    """A photo (Photo, ProofPhoto, WorkPhoto) or its thumbnail as a JPEG file named after it."""
    return file_response(photo_field(photo, variant), f"{photo.pk}-{variant}.jpg", "image/jpeg")
