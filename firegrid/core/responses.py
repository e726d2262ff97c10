"""HTTP responses for files the pages serve: printed documents, photos, uploaded attachments.

One place for their headers, so that a PDF, a photo or an uploaded file is sent the same way from every
app (the API's file endpoints use the same functions through firegrid.core.api.files). Nothing is served
from MEDIA_URL: every stored file goes through a view that finds it inside the user's scope first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.core.files.base import File
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.utils.http import content_disposition_header

from firegrid.core.uploads import download_name, stored_content_type

if TYPE_CHECKING:
    from firegrid.core.photos import AbstractPhoto

# Photos never change once stored (a new one is a new row), so the browser may keep them a day;
# "private" because each is served only inside the user's scope.
PHOTO_MAX_AGE = 86400
PHOTO_VARIANTS = ("image", "thumbnail")

# Uploaded files a browser may show in the page: raster images and PDFs. Anything else is downloaded, never
# rendered on our origin: an HTML file or an SVG (which can carry script) uploaded as an "attachment"
# would otherwise run as the site.
INLINE_CONTENT_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"})

R = TypeVar("R", bound=HttpResponseBase)


def no_store(response: R) -> R:
    """For a response holding revealed personal data: kept by no cache, the browser's or a shared one."""
    response["Cache-Control"] = "no-store"
    return response


def pdf_response(
    data: bytes, filename: str, *, as_attachment: bool = False, max_age: int | None = None
) -> HttpResponse:
    """A PDF shown in the browser (or downloaded with `as_attachment`); with `max_age`, cached by the
    browser only (a document is for the user in whose scope it is)."""
    response = HttpResponse(data, content_type="application/pdf")
    disposition = content_disposition_header(as_attachment, filename)
    if disposition is not None:  # None only for an inline file without a name
        response["Content-Disposition"] = disposition
    if max_age is not None:
        response["Cache-Control"] = f"private, max-age={max_age}"
    return response


def photo_field(photo: AbstractPhoto, variant: str) -> FieldFile:
    """The stored file of a photo (Photo, ProofPhoto, WorkPhoto) for `variant`: "image" or
    "thumbnail"; anything else is not found."""
    if variant not in PHOTO_VARIANTS:
        raise Http404
    return photo.thumbnail if variant == "thumbnail" else photo.image


def uploaded_file_response(
    field: File[bytes],
    filename: str,
    *,
    content_type: str | None = None,
    max_age: int = PHOTO_MAX_AGE,
    as_attachment: bool = False,
) -> FileResponse:
    """A stored upload (an attachment, a photo) under the client's `filename`; the caller has already found
    it inside the user's scope. Sent as the type checked when it was uploaded (`core.uploads`: kept in the
    stored file's extension), never one guessed from the client's name; shown inline only when it is an
    image or a PDF (and not `as_attachment`), downloaded otherwise; the type is never sniffed by the
    browser."""
    content_type = content_type or stored_content_type(field.name or "")
    inline = content_type in INLINE_CONTENT_TYPES and not as_attachment
    response = FileResponse(field.open("rb"), content_type=content_type)
    disposition = content_disposition_header(not inline, download_name(filename, content_type))
    response["Content-Disposition"] = disposition or "attachment"
    # SecurityMiddleware sets it on every response too; a file must not depend on the middleware order.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = f"private, max-age={max_age}"
    return response


def image_response(photo: AbstractPhoto, variant: str) -> FileResponse:
    """The photo or its thumbnail as JPEG (every photo is stored as one); the caller has already found
    `photo` inside the user's scope."""
    response = FileResponse(photo_field(photo, variant).open("rb"), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = f"private, max-age={PHOTO_MAX_AGE}"
    return response
