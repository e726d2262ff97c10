"""The API's side of photos (`firegrid.core.photos.AbstractPhoto`: an inspection's, a plan's proof, a
booking's work photos): the fields every photo answers with, the upload field, and the action that
answers with a photo's file. Each app's serializer and viewset add what is its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

from firegrid.core.api.errors import validation_error_detail
from firegrid.core.api.files import FileNegotiation, photo_file_response
from firegrid.core.api.schema import ERRORS
from firegrid.core.api.serializers import absolute_url
from firegrid.core.photos import AbstractPhoto
from firegrid.core.responses import PHOTO_VARIANTS
from firegrid.core.uploads import UploadKind, accepted_labels, max_mb

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.viewsets import GenericViewSet

_P = TypeVar("_P", bound=AbstractPhoto)


def _photo_help() -> str:
    return gettext("照片文件（%(kinds)s，不超过 %(mb)s MB）") % {
        "kinds": accepted_labels(UploadKind.PHOTO),
        "mb": max_mb(UploadKind.PHOTO),
    }


# Lazy: read in the reader's language, with the limit the settings have when the schema is made.
PHOTO_HELP = lazy(_photo_help, str)()


class PhotoUploadField(serializers.FileField):
    """One photo uploaded (multipart/form-data); checked by its content where it is stored
    (`firegrid.inspections.photos.process_photo`), whatever its name or Content-Type says."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", PHOTO_HELP)
        super().__init__(**kwargs)


class PhotoSerializer(serializers.ModelSerializer[_P]):
    # What every photo answers with (a comment, not a docstring: the schema would show it on each).
    # `image` and `thumbnail` are URLs of its files, served inside the caller's scope; `file_path` says
    # which view serves them (the model's web file view unless a subclass names its API action).

    uploaded_by_name = serializers.CharField(source="uploaded_by.__str__", read_only=True)
    image = serializers.SerializerMethodField(
        help_text=gettext_lazy("照片地址（已去除 EXIF；需登录且在管辖范围内）")
    )
    thumbnail = serializers.SerializerMethodField(help_text=gettext_lazy("缩略图地址"))

    class Meta:
        fields = [
            "id",
            "image",
            "thumbnail",
            "original_format",
            "taken_at",
            "uploaded_by_name",
            "uploaded_at",
        ]
        read_only_fields = fields

    def file_path(self, photo: _P, variant: str) -> str:
        return photo.get_file_url(variant)

    def get_image(self, photo: _P) -> str:
        return absolute_url(self.context, self.file_path(photo, "image"))

    def get_thumbnail(self, photo: _P) -> str:
        return absolute_url(self.context, self.file_path(photo, "thumbnail"))


def photo_refusal(exc: DjangoValidationError, field: str) -> ValidationError:
    """A service's refusal of an uploaded photo as the API answers it: the photo checks (codes `photo_…`,
    `firegrid.inspections.photos`) name no field, so they go on the upload's `field`; other refusals (the
    plan no longer takes photos …) keep their own keys."""
    detail = validation_error_detail(exc)
    if not hasattr(exc, "error_dict") and all((e.code or "").startswith("photo_") for e in exc.error_list):
        return ValidationError({field: detail[api_settings.NON_FIELD_ERRORS_KEY]})
    return ValidationError(detail)


VARIANT = OpenApiParameter(
    "variant", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(PHOTO_VARIANTS), description="照片或缩略图"
)

PhotosOf = Callable[[Any, Any], QuerySet[Any]]


def photo_file_action(
    name: str,
    *,
    url_path: str,
    url_name: str,
    photos: PhotosOf,
    summary: str,
    description: str,
    photo_id: str,
) -> Callable[..., FileResponse]:
    """A detail action `<url_path>/<photo_id>/<image|thumbnail>` answering with the photo's file (JPEG):
    the object of the route is found in the caller's scope (`get_object()`, 404 otherwise), the photo among
    `photos(viewset, obj)`. `name` is the attribute the action is assigned to in the viewset's class."""

    def view(
        self: GenericViewSet[Any], request: Request, pk: str, photo_id: str, variant: str
    ) -> FileResponse:
        photo = get_object_or_404(photos(self, self.get_object()), pk=photo_id)
        return photo_file_response(photo, variant)

    view.__name__ = view.__qualname__ = name  # DRF routes an action by its function's name
    routed = action(
        detail=True,
        methods=["get"],
        url_path=rf"{url_path}/(?P<photo_id>[0-9]+)/(?P<variant>{'|'.join(PHOTO_VARIANTS)})",
        url_name=url_name,
        filter_backends=[],
        content_negotiation_class=FileNegotiation,
    )(view)
    documented: Callable[..., FileResponse] = extend_schema(
        summary=summary,
        description=description,
        parameters=[
            OpenApiParameter("photo_id", OpenApiTypes.INT, OpenApiParameter.PATH, description=photo_id),
            VARIANT,
        ],
        responses={(200, "image/jpeg"): OpenApiTypes.BINARY, 403: ERRORS[403], 404: ERRORS[404]},
        filters=False,
    )(routed)
    return documented
