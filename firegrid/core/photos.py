"""What every photo Firegrid keeps has in common: an inspection's photo (inspections.Photo), a landlord's
proof of a fix (rectification.ProofPhoto), a contractor's photo of finished work (outreach.WorkPhoto).

Each is stored by `firegrid.inspections.photos.attach` as a JPEG without EXIF and a thumbnail, is served
only through a view that finds it in the user's scope (never from MEDIA_URL: photos show people's homes),
and is never edited: a new photo is a new row.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def photo_path(photo: AbstractPhoto, filename: str) -> str:
    """`<folder>/<year>/<month>/<random>.jpg`: dated by the upload, named by nothing the client sent."""
    return f"{photo.upload_folder}/{photo.uploaded_at:%Y/%m}/{uuid.uuid4().hex}.jpg"


def thumbnail_path(photo: AbstractPhoto, filename: str) -> str:
    return f"{photo.upload_folder}/{photo.uploaded_at:%Y/%m}/thumbs/{uuid.uuid4().hex}.jpg"


class AbstractPhoto(models.Model):
    """A photo kept as evidence: the served JPEG (resized, EXIF stripped) and its thumbnail, what the
    original was, when it was taken (from its EXIF) and who uploaded it when."""

    # The folder under MEDIA_ROOT the model's files go to, and the URL name of its web file view
    # (arguments: the photo's id and "image" or "thumbnail").
    upload_folder: ClassVar[str]
    file_url_name: ClassVar[str]

    image = models.ImageField(_("照片"), upload_to=photo_path)
    thumbnail = models.ImageField(_("缩略图"), upload_to=thumbnail_path)
    original_format = models.CharField(_("原始格式"), max_length=8)
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    sha256 = models.CharField(max_length=64)  # of the uploaded bytes, to spot the same photo twice
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "id"]

    def get_file_url(self, variant: str) -> str:
        return reverse(self.file_url_name, args=[self.pk, variant])

    def get_image_url(self) -> str:
        return self.get_file_url("image")

    def get_thumbnail_url(self) -> str:
        return self.get_file_url("thumbnail")
