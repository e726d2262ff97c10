"""API errors: Django ValidationErrors raised by services come back per field, like serializer errors;
a concurrent edit is 409 on `version`; a body over Django's limits is 413 (or 400) with a message."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext
from rest_framework import exceptions, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from firegrid.core.services import ConcurrentEditError


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"


def _body_refusal(exc: Exception) -> exceptions.APIException:
    """Django's refusal of a request body (DATA_UPLOAD_MAX_* settings), which would be a bare 400 page."""
    if isinstance(exc, RequestDataTooBig):
        return RequestTooLarge(
            gettext("请求内容过大：上限为 %(limit)s 字节（文件请以 multipart/form-data 上传）。")
            % {"limit": f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,}"}
        )
    if isinstance(exc, TooManyFilesSent):
        return exceptions.ParseError(
            gettext("一次上传的文件过多：上限为 %(limit)s 个。")
            % {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FILES}
        )
    return exceptions.ParseError(
        gettext("请求的字段过多：上限为 %(limit)s 个。") % {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}
    )


def _details(errors: list[DjangoValidationError]) -> list[ErrorDetail]:
    return [
        ErrorDetail(str(message), code=error.code or "invalid")
        for error in errors
        for message in error.messages
    ]


def validation_error_detail(exc: DjangoValidationError) -> dict[str, list[ErrorDetail]]:
    """Django's error dict with DRF's key for errors on no field (`non_field_errors`, not `__all__`)."""
    if not hasattr(exc, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: _details(exc.error_list)}
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): _details(errors)
        for field, errors in exc.error_dict.items()
    }


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_error_detail(exc))
    elif isinstance(exc, ConcurrentEditError):
        exc = Conflict({"version": [ErrorDetail(exc.message, code="conflict")]})
    elif isinstance(exc, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        exc = _body_refusal(exc)
    return drf_exception_handler(exc, context)
