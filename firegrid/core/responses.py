"""HTTP responses for files the pages serve: printed documents and photos.

One place for their headers, so that a PDF or a photo is sent the same way from every app.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header

# Photos never change once stored (a new one is a new row), so the browser may keep them a day;
# "private" because each is served only inside the user's scope.
PHOTO_MAX_AGE = 86400
PHOTO_VARIANTS = ("image", "thumbnail")


def pdf_response(
    data: bytes, filename: str, *, as_attachment: bool = False, max_age: int | None = None
) -> HttpResponse:
    """A PDF shown in the browser (or downloaded with `as_attachment`); with `max_age`, cached by the
    browser only (a document is for the user in whose scope it is)."""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    if max_age is not None:
        response["Cache-Control"] = f"private, max-age={max_age}"
    return response


def photo_field(photo, variant: str):
    """The stored file of a photo (Photo, ProofPhoto, WorkPhoto) for `variant`: "image" or
    "thumbnail"; anything else is not found."""
    if variant not in PHOTO_VARIANTS:
        raise Http404
    return photo.thumbnail if variant == "thumbnail" else photo.image


def image_response(photo, variant: str) -> FileResponse:
    """The photo or its thumbnail as JPEG; the caller has already found `photo` inside the user's scope."""
    response = FileResponse(photo_field(photo, variant).open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = f"private, max-age={PHOTO_MAX_AGE}"
    return response
