"""API errors: Django ValidationErrors raised by services come back per field, like serializer errors;
a concurrent edit is 409 on `version`."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from firegrid.core.services import ConcurrentEditError


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


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


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_error_detail(exc))
    elif isinstance(exc, ConcurrentEditError):
        exc = Conflict({"version": [ErrorDetail(exc.message, code="conflict")]})
    return drf_exception_handler(exc, context)
