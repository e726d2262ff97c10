"""The /api/v1/ router: DRF's DefaultRouter, with format suffixes (`…/history.json`) that reach every action."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.urls import URLPattern, URLResolver
from rest_framework.routers import DefaultRouter
from rest_framework.settings import api_settings


def _suffix_as_query(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """The view, with the URL's format suffix handed over as DRF's `?format=` query parameter.

    DRF passes the suffix to the handler as a `format` keyword, and a handler declared without one
    (`def history(self, request, pk=None)`, most custom actions) failed with a TypeError: a 500 for
    every `…/history.json`. DRF treats `?format=json` exactly like the suffix, so the suffix becomes
    that and no handler needs to declare it. Attributes DRF and the schema generator read from the view
    (`cls`, `actions`, `initkwargs`) are kept by `functools.wraps`.
    """
    query_param = api_settings.URL_FORMAT_OVERRIDE
    suffix_kwarg = api_settings.FORMAT_SUFFIX_KWARG

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        suffix = kwargs.pop(suffix_kwarg, None)
        if suffix:
            query = request.GET.copy()
            query[query_param] = suffix
            request.GET = query  # type: ignore[assignment]  # a copy with the parameter added
        return view(request, *args, **kwargs)

    return wrapped


class FiregridRouter(DefaultRouter):
    """DefaultRouter whose `.json` routes answer like the routes without the suffix (200 JSON or 404)."""

    def get_urls(self) -> list[URLPattern | URLResolver]:
        suffix_kwarg = api_settings.FORMAT_SUFFIX_KWARG
        return [
            URLPattern(url.pattern, _suffix_as_query(url.callback), url.default_args, url.name)
            if isinstance(url, URLPattern) and suffix_kwarg in url.pattern.regex.groupindex
            else url
            for url in super().get_urls()
        ]
