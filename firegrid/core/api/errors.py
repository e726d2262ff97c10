"""API errors: Django ValidationErrors raised by services come back per field, like serializer errors."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from firegrid.core.services import ConcurrentEditError


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, ConcurrentEditError):
        exc = exceptions.ValidationError({"version": [exc.message]}, code="conflict")
        response = drf_exception_handler(exc, context)
        response.status_code = 409
        return response
    return drf_exception_handler(exc, context)
