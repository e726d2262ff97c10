"""The scope matrix every API endpoint is walked through: anonymous (401) → outsider (404, absent from
the list) → in scope without the right (403, nothing changed) → allowed (2xx, audited), plus a
query-count guard on the list. Test classes in `*/tests/test_api.py` subclass `ApiScopeMatrix` and
declare what differs (personas by their name in the `personas` fixture, payloads, rows, and what the
endpoint offers: a list, one object's page, its history, which of the generic writes).

Every endpoint of the /api/v1/ router has its walk: `WALKS` collects the subclasses as their modules load,
and `firegrid/core/tests/test_api_walks.py` fails for a router prefix without one.

A root module beside `firegrid/testing.py`, not part of core: it walks the shared personas of
`firegrid/conftest.py`, which are built from every app.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from firegrid.conftest import assert_status
from firegrid.core.models import AuditAction, AuditEntry

API = "/api/v1"
CREATE, CHANGE, DELETE = "create", "change", "delete"
# Every ApiScopeMatrix subclass, in the order their modules were imported (see `walked_prefixes`).
WALKS: list[type[ApiScopeMatrix]] = []


def api_client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def fresh(user):
    """The user loaded anew, as each request does: the scope cache is per user object."""
    return type(user).objects.get(pk=user.pk)


def list_ids(response) -> set[int]:
    assert_status(response, 200)
    return {row["id"] for row in response.data["results"]}


def audit_actions(obj: Model) -> list[str]:
    return list(AuditEntry.objects.for_object(obj).values_list("action", flat=True))


class ApiScopeMatrix:
    """One endpoint's walk through the personas. Subclasses set `prefix` and the hooks below."""

    prefix: ClassVar[str]
    # What the endpoint offers. An endpoint without a list (or a page per object, or a history) skips
    # those steps; `writes` are the generic writes it has (POST list, PATCH and DELETE one).
    has_list: ClassVar[bool] = True
    has_detail: ClassVar[bool] = True
    has_history: ClassVar[bool] = True
    writes: ClassVar[frozenset[str]] = frozenset({CREATE, CHANGE, DELETE})
    # Personas (attribute names of the `personas` fixture); None skips that step.
    outsider: ClassVar[str | None] = "outsider"  # `target` is outside their scope
    reader: ClassVar[str | None] = "fire_officer"  # sees `target`, may not write it
    writer: ClassVar[str | None] = "grid_worker"  # may create and change
    non_deleter: ClassVar[str | None] = "grid_worker"  # sees `target` and may change it, but not delete
    deleter: ClassVar[str | None] = "community_officer"
    lister: ClassVar[str] = "grid_worker"  # sees the rows `add_rows` makes
    forbidden: ClassVar[str | None] = None  # their role may not see this kind at all: 403 before any lookup

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        WALKS.append(cls)

    def target(self, district) -> Model:
        raise NotImplementedError

    def deletable(self, district) -> Model:
        """An object the deleter may remove (nothing protected hangs on it)."""
        return self.target(district)

    def create_payload(self, district) -> dict[str, Any]:
        raise NotImplementedError

    def change_payload(self, district) -> dict[str, Any]:
        raise NotImplementedError

    def add_rows(self, district, n: int) -> None:
        """Make `n` more rows the lister sees (for the query-count guard)."""
        raise NotImplementedError

    def delete_payload(self, district) -> dict[str, Any] | None:
        """The body a DELETE needs (a reason), if any."""
        return None

    def offers(self, write: str) -> bool:
        return write in self.writes

    # --- urls ---

    def list_url(self) -> str:
        return f"{API}/{self.prefix}/"

    def detail_url(self, obj: Model, suffix: str = "") -> str:
        return f"{API}/{self.prefix}/{obj.pk}/{suffix}"

    # --- the walk ---

    def test_anonymous_gets_401(self, district):
        client = api_client()
        obj = self.target(district)
        if self.has_list:
            assert_status(client.get(self.list_url()), 401)
        if self.has_detail:
            assert_status(client.get(self.detail_url(obj)), 401)
        if self.has_history:
            assert_status(client.get(self.detail_url(obj, "history/")), 401)
        if self.writer:
            if self.offers(CREATE):
                assert_status(client.post(self.list_url(), self.create_payload(district), format="json"), 401)
            if self.offers(CHANGE):
                assert_status(client.patch(self.detail_url(obj), {"version": 1}, format="json"), 401)
            if self.offers(DELETE):
                assert_status(client.delete(self.detail_url(obj)), 401)

    def test_outsider_gets_404_and_does_not_see_it_in_the_list(self, district, personas):
        if self.outsider is None:
            pytest.skip("every role that sees this kind sees all of it")
        client = api_client(getattr(personas, self.outsider))
        obj = self.target(district)
        if self.has_list:
            assert obj.pk not in list_ids(client.get(self.list_url(), {"page_size": 500}))
        if self.has_detail:
            assert_status(client.get(self.detail_url(obj)), 404)
        if self.has_history:
            assert_status(client.get(self.detail_url(obj, "history/")), 404)
        if self.writer:
            if self.offers(CHANGE):
                payload = {**self.change_payload(district), "version": getattr(obj, "version", 1)}
                assert_status(client.patch(self.detail_url(obj), payload, format="json"), 404)
            if self.offers(DELETE):
                assert_status(
                    client.delete(self.detail_url(obj), self.delete_payload(district), format="json"), 404
                )
            assert type(obj).objects.filter(pk=obj.pk).exists()

    def test_role_without_sight_of_this_kind_gets_403(self, district, personas):
        if self.forbidden is None:
            pytest.skip("every signed-in role with a scope may read this kind")
        client = api_client(getattr(personas, self.forbidden))
        obj = self.target(district)
        if self.has_list:
            assert_status(client.get(self.list_url()), 403)
        if self.has_detail:
            assert_status(client.get(self.detail_url(obj)), 403)
        if self.has_history:
            assert_status(client.get(self.detail_url(obj, "history/")), 403)

    def test_reader_sees_it_but_gets_403_on_every_write(self, district, personas):
        if self.reader is None:
            pytest.skip("no reader for this endpoint")
        client = api_client(getattr(personas, self.reader))
        obj = self.target(district)
        if self.has_detail:
            assert_status(client.get(self.detail_url(obj)), 200)
        before = AuditEntry.objects.count()
        model = type(obj)
        rows = model.objects.count()
        if self.offers(CREATE):
            assert_status(client.post(self.list_url(), self.create_payload(district), format="json"), 403)
        if self.offers(CHANGE):
            payload = {**self.change_payload(district), "version": getattr(obj, "version", 1)}
            assert_status(client.patch(self.detail_url(obj), payload, format="json"), 403)
        if self.offers(DELETE):
            assert_status(
                client.delete(self.detail_url(obj), self.delete_payload(district), format="json"), 403
            )
        assert model.objects.count() == rows
        assert AuditEntry.objects.count() == before

    def test_writer_creates_and_the_creation_is_audited(self, district, personas):
        if self.writer is None or not self.offers(CREATE):
            pytest.skip("no writer for this endpoint")
        writer = getattr(personas, self.writer)
        response = api_client(writer).post(self.list_url(), self.create_payload(district), format="json")
        assert_status(response, 201)
        obj = self.target(district).__class__.objects.get(pk=response.data["id"])
        entry = AuditEntry.objects.for_object(obj).get()
        assert (entry.action, entry.actor) == (AuditAction.CREATE, writer)

    def test_writer_changes_with_the_version_read_and_the_change_is_audited(self, district, personas):
        if self.writer is None or not self.offers(CHANGE):
            pytest.skip("no writer for this endpoint")
        client = api_client(getattr(personas, self.writer))
        obj = self.target(district)
        read = client.get(self.detail_url(obj))
        assert_status(read, 200)
        payload = {**self.change_payload(district)}
        if "version" in read.data:
            payload["version"] = read.data["version"]
        response = client.patch(self.detail_url(obj), payload, format="json")
        assert_status(response, 200)
        for name, value in self.change_payload(district).items():
            assert str(response.data[name]) == str(value)
        if "version" in read.data:
            assert response.data["version"] == read.data["version"] + 1
        assert audit_actions(obj) == [AuditAction.UPDATE]

    def test_role_that_may_not_delete_gets_403(self, district, personas):
        if self.non_deleter is None or not self.offers(DELETE):
            pytest.skip("no non-deleter for this endpoint")
        obj = self.deletable(district)
        client = api_client(getattr(personas, self.non_deleter))
        response = client.delete(self.detail_url(obj), self.delete_payload(district), format="json")
        assert_status(response, 403)
        assert type(obj).objects.filter(pk=obj.pk).exists()

    def test_deleter_deletes_and_the_deletion_is_audited(self, district, personas):
        if self.deleter is None or not self.offers(DELETE):
            pytest.skip("no deleter for this endpoint")
        obj = self.deletable(district)
        client = api_client(getattr(personas, self.deleter))
        assert_status(client.delete(self.detail_url(obj), self.delete_payload(district), format="json"), 204)
        assert not type(obj).objects.filter(pk=obj.pk).exists()
        assert audit_actions(obj) == [AuditAction.DELETE]

    def test_history_lists_the_audit_entries_newest_first(self, district, personas):
        if self.writer is None or not self.offers(CHANGE) or not self.has_history:
            pytest.skip("no writer for this endpoint")
        client = api_client(getattr(personas, self.writer))
        obj = self.target(district)
        url = self.detail_url(obj)
        change = self.change_payload(district)
        revert = {name: client.get(url).data[name] for name in change}
        for payload in (change, revert):
            read = client.get(url).data
            version = {"version": read["version"]} if "version" in read else {}
            assert_status(client.patch(url, {**payload, **version}, format="json"), 200)
        response = client.get(self.detail_url(obj, "history/"))
        assert_status(response, 200)
        assert response.data["count"] == 2
        newest, oldest = response.data["results"]
        assert newest["id"] > oldest["id"]
        assert newest["action"] == oldest["action"] == AuditAction.UPDATE
        assert newest["actor_name"] and set(newest) >= {"time", "before", "after", "reason", "action_display"}

    def test_list_query_count_does_not_grow_with_rows(self, district, personas):
        if not self.has_list:
            pytest.skip("no list at this endpoint")
        lister = getattr(personas, self.lister)
        self.target(district)  # a row first: a list's prefetch queries run only once there is one

        def measure() -> tuple[int, int]:
            client = api_client(fresh(lister))
            with CaptureQueriesContext(connection) as queries:
                response = client.get(self.list_url())
            assert_status(response, 200)
            return len(queries), response.data["count"]

        few_queries, few_rows = measure()
        self.add_rows(district, 10)
        many_queries, many_rows = measure()
        assert many_rows >= few_rows + 10
        assert many_queries == few_queries


def walked_prefixes() -> set[str]:
    """The router prefixes that have an ApiScopeMatrix walk, from every app's test modules that declare one
    (imported here, so the answer does not depend on which tests this run collected)."""
    import importlib
    import pkgutil
    from pathlib import Path

    import firegrid

    root = Path(firegrid.__file__).parent
    for tests in sorted(root.glob("*/tests")):
        package = f"firegrid.{tests.parent.name}.tests"
        for module in pkgutil.iter_modules([str(tests)]):
            path = tests / f"{module.name}.py"
            if module.name.startswith("test_") and "ApiScopeMatrix" in path.read_text(encoding="utf-8"):
                importlib.import_module(f"{package}.{module.name}")
    return {cls.prefix for cls in WALKS if hasattr(cls, "prefix")}
