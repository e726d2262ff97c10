"""The scope matrix every API endpoint is walked through: anonymous (401) → outsider (404, absent from
the list) → in scope without the right (403, nothing changed) → allowed (2xx, audited), plus a
query-count guard on the list. Test classes in `*/tests/test_api.py` subclass `ApiScopeMatrix` and
declare what differs (personas by their name in the `personas` fixture, payloads, rows)."""

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
    # Personas (attribute names of the `personas` fixture); None skips that step.
    outsider: ClassVar[str | None] = "outsider"  # `target` is outside their scope
    reader: ClassVar[str | None] = "fire_officer"  # sees `target`, may not write it
    writer: ClassVar[str | None] = "grid_worker"  # may create and change
    non_deleter: ClassVar[str | None] = "grid_worker"  # sees `target` and may change it, but not delete
    deleter: ClassVar[str | None] = "community_officer"
    lister: ClassVar[str] = "grid_worker"  # sees the rows `add_rows` makes

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

    # --- urls ---

    def list_url(self) -> str:
        return f"{API}/{self.prefix}/"

    def detail_url(self, obj: Model, suffix: str = "") -> str:
        return f"{API}/{self.prefix}/{obj.pk}/{suffix}"

    # --- the walk ---

    def test_anonymous_gets_401(self, district):
        client = api_client()
        obj = self.target(district)
        assert_status(client.get(self.list_url()), 401)
        assert_status(client.get(self.detail_url(obj)), 401)
        assert_status(client.get(self.detail_url(obj, "history/")), 401)
        if self.writer:
            assert_status(client.post(self.list_url(), self.create_payload(district), format="json"), 401)
            assert_status(client.patch(self.detail_url(obj), {"version": 1}, format="json"), 401)
            assert_status(client.delete(self.detail_url(obj)), 401)

    def test_outsider_gets_404_and_does_not_see_it_in_the_list(self, district, personas):
        if self.outsider is None:
            pytest.skip("every role that sees this kind sees all of it")
        client = api_client(getattr(personas, self.outsider))
        obj = self.target(district)
        assert obj.pk not in list_ids(client.get(self.list_url(), {"page_size": 500}))
        assert_status(client.get(self.detail_url(obj)), 404)
        assert_status(client.get(self.detail_url(obj, "history/")), 404)
        if self.writer:
            payload = {**self.change_payload(district), "version": getattr(obj, "version", 1)}
            assert_status(client.patch(self.detail_url(obj), payload, format="json"), 404)
            assert_status(client.delete(self.detail_url(obj)), 404)
            assert type(obj).objects.filter(pk=obj.pk).exists()

    def test_reader_sees_it_but_gets_403_on_every_write(self, district, personas):
        if self.reader is None:
            pytest.skip("no reader for this endpoint")
        client = api_client(getattr(personas, self.reader))
        obj = self.target(district)
        assert_status(client.get(self.detail_url(obj)), 200)
        before = AuditEntry.objects.count()
        model = type(obj)
        rows = model.objects.count()
        assert_status(client.post(self.list_url(), self.create_payload(district), format="json"), 403)
        payload = {**self.change_payload(district), "version": getattr(obj, "version", 1)}
        assert_status(client.patch(self.detail_url(obj), payload, format="json"), 403)
        assert_status(client.delete(self.detail_url(obj)), 403)
        assert model.objects.count() == rows
        assert AuditEntry.objects.count() == before

    def test_writer_creates_and_the_creation_is_audited(self, district, personas):
        if self.writer is None:
            pytest.skip("no writer for this endpoint")
        writer = getattr(personas, self.writer)
        response = api_client(writer).post(self.list_url(), self.create_payload(district), format="json")
        assert_status(response, 201)
        obj = self.target(district).__class__.objects.get(pk=response.data["id"])
        entry = AuditEntry.objects.for_object(obj).get()
        assert (entry.action, entry.actor) == (AuditAction.CREATE, writer)

    def test_writer_changes_with_the_version_read_and_the_change_is_audited(self, district, personas):
        if self.writer is None:
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
        if self.non_deleter is None:
            pytest.skip("no non-deleter for this endpoint")
        obj = self.deletable(district)
        response = api_client(getattr(personas, self.non_deleter)).delete(self.detail_url(obj))
        assert_status(response, 403)
        assert type(obj).objects.filter(pk=obj.pk).exists()

    def test_deleter_deletes_and_the_deletion_is_audited(self, district, personas):
        if self.deleter is None:
            pytest.skip("no deleter for this endpoint")
        obj = self.deletable(district)
        assert_status(api_client(getattr(personas, self.deleter)).delete(self.detail_url(obj)), 204)
        assert not type(obj).objects.filter(pk=obj.pk).exists()
        assert audit_actions(obj) == [AuditAction.DELETE]

    def test_history_lists_the_audit_entries_newest_first(self, district, personas):
        if self.writer is None:
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
        lister = getattr(personas, self.lister)

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
