"""The tasks API: the scope matrix, and the steps (route, escalate, replies) with their errors."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from firegrid.api_testing import API, ApiScopeMatrix, api_client
from firegrid.conftest import assert_status
from firegrid.tasks import services
from firegrid.tasks.models import Task


def due() -> dt.date:
    """A week from today, read when called: a module constant would go stale across midnight."""
    return timezone.localdate() + dt.timedelta(days=7)


def grid_task(district, title="网格任务") -> Task:
    """A task held by grid A, set as a scene (no audit entry), as the builders do."""
    return Task.objects.create(title=title, area=district.grid_a, origin_area=district.c1, due_on=due())


class TestTaskApi(ApiScopeMatrix):
    prefix = "tasks"
    reader = None  # every role that sees tasks works with them; steps answer 403 to non-holders (below)
    non_deleter = "grid_worker"
    deleter = "admin"

    def target(self, district):
        return Task.objects.filter(title="目标任务").first() or grid_task(district, "目标任务")

    def create_payload(self, district):
        return {"title": "新任务", "area": district.grid_a.pk, "due_on": due().isoformat()}

    def change_payload(self, district):
        return {"title": "改过的任务"}

    def add_rows(self, district, n):
        for i in range(n):
            grid_task(district, f"任务{i}")

    def test_list_query_count_does_not_grow_with_rows(self, district, personas):
        # One row first: the joint teams' departments are prefetched in one query once there is a row.
        self.target(district)
        super().test_list_query_count_does_not_grow_with_rows(district, personas)


def test_route_to_a_grandchild_is_400_naming_the_allowed_areas(district, personas):
    client = api_client(personas.subdistrict_officer)
    response = client.post(
        f"{API}/tasks/",
        {"title": "街道任务", "area": district.s1.pk, "due_on": due().isoformat()},
        format="json",
    )
    assert_status(response, 201)
    url = f"{API}/tasks/{response.data['id']}/route/"
    bad = client.post(url, {"areas": [district.grid_a.pk]}, format="json")
    assert_status(bad, 400)
    assert "樟树潭社区" in str(bad.data["areas"][0])
    good = client.post(url, {"areas": [district.c1.pk], "note": "请落实"}, format="json")
    assert_status(good, 201)
    assert [row["area"] for row in good.data] == [district.c1.pk]


def test_escalate_and_reply_through_the_api(district, personas):
    task = grid_task(district)
    client = api_client(personas.grid_worker)
    assert_status(client.post(f"{API}/tasks/{task.pk}/escalate/", {}, format="json"), 400)
    reply = client.post(f"{API}/tasks/{task.pk}/replies/", {"text": "已上门两次"}, format="json")
    assert_status(reply, 201)
    response = client.post(f"{API}/tasks/{task.pk}/escalate/", {"reason": "房东拒不配合"}, format="json")
    assert_status(response, 200)
    assert response.data["area"] == district.c1.pk
    replies = api_client(personas.community_officer).get(f"{API}/tasks/{task.pk}/replies/")
    assert [r["kind"] for r in replies.data["results"]] == ["reply", "escalated"]


def test_steps_by_someone_not_of_the_holder_are_403_and_outsiders_404(district, personas):
    task = services.create_task(
        {"title": "网格自查", "area": district.grid_a, "due_on": due()}, actor=personas.grid_worker
    )
    # The commander assigns a grid worker of another grid: refused on the field.
    response = api_client(personas.commander).post(
        f"{API}/tasks/{task.pk}/assign/", {"assignee": personas.outsider.pk}, format="json"
    )
    assert_status(response, 400)
    assert "assignee" in response.data
    # Another grid's worker does not see it at all.
    assert_status(api_client(personas.outsider).post(f"{API}/tasks/{task.pk}/done/", {}, format="json"), 404)
    services.escalate_task(task, actor=personas.grid_worker, reason="上报社区")
    services.escalate_task(task, actor=personas.community_officer, reason="上报街道")
    # Created in grid A, so the grid worker still sees it, but the subdistrict holds it now.
    assert_status(api_client(personas.grid_worker).get(f"{API}/tasks/{task.pk}/"), 200)
    refused = api_client(personas.grid_worker).post(f"{API}/tasks/{task.pk}/done/", {}, format="json")
    assert_status(refused, 403)
    task.refresh_from_db()
    assert task.status == "open"
