"""The file responses every app serves through (firegrid.core.responses, firegrid.core.api.files):
a photo or its thumbnail and nothing else, a PDF inline or as a download, with the caching each asks for."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.http import Http404

from firegrid.core.api.files import photo_file_response
from firegrid.core.responses import image_response, pdf_response


def stub_photo() -> SimpleNamespace:
    return SimpleNamespace(
        pk=7, image=ContentFile(b"IMAGE", "i.jpg"), thumbnail=ContentFile(b"THUMB", "t.jpg")
    )


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("variant, content", [("image", b"IMAGE"), ("thumbnail", b"THUMB")])
def test_image_response_serves_the_variant_asked_for(variant, content):
    response = image_response(stub_photo(), variant)
    assert body(response) == content
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, max-age=86400"


@pytest.mark.parametrize("variant", ["original", "", "Image", "image.jpg"])
def test_image_response_does_not_know_other_variants(variant):
    with pytest.raises(Http404):
        image_response(stub_photo(), variant)
    with pytest.raises(Http404):
        photo_file_response(stub_photo(), variant)


def test_api_photo_file_is_named_after_the_photo():
    response = photo_file_response(stub_photo(), "thumbnail")
    assert body(response) == b"THUMB"
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'inline; filename="7-thumbnail.jpg"'
    assert response["Cache-Control"] == "private, max-age=86400"


def test_pdf_response_inline_or_download_with_the_cache_asked_for():
    shown = pdf_response(b"%PDF-1.7", "ZG-2026-0001.pdf", max_age=3600)
    assert shown.content == b"%PDF-1.7" and shown["Content-Type"] == "application/pdf"
    assert shown["Content-Disposition"] == 'inline; filename="ZG-2026-0001.pdf"'
    assert shown["Cache-Control"] == "private, max-age=3600"
    saved = pdf_response(b"%PDF-1.7", "责令整改通知书.pdf", as_attachment=True, max_age=86400)
    assert saved["Content-Disposition"] == f"attachment; filename*=utf-8''{quote('责令整改通知书.pdf')}"
    assert saved["Cache-Control"] == "private, max-age=86400"
    assert "Cache-Control" not in pdf_response(b"%PDF-1.7", "a.pdf")
