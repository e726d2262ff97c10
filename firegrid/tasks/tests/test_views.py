"""Task pages: my tasks, the task page with its steps, creating a task; scope (404) and roles (403)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from firegrid.conftest import assert_status
from firegrid.tasks import services
from firegrid.tasks.models import Task


def due() -> dt.date:
    """A week from today, read when called: a module constant would go stale across midnight."""
    return timezone.localdate() + dt.timedelta(days=7)


def test_create_route_reply_and_scope_on_the_pages(district, personas, login):
    officer = login(personas.community_officer)
    assert_status(officer.get("/tasks/new/"), 200)
    response = officer.post(
        "/tasks/new/", {"title": "入户宣传", "holder": f"area:{district.c1.pk}", "due_on": due().isoformat()}
    )
    assert_status(response, 302)
    task = Task.objects.get(title="入户宣传")
    page = officer.get(f"/tasks/{task.pk}/")
    assert_status(page, 200)
    assert "樟树潭一网格" in page.content.decode()  # offered in the route form
    assert_status(officer.post(f"/tasks/{task.pk}/route/", {"areas": [district.grid_a.pk]}), 302)
    child = Task.objects.get(parent=task)
    # A wrong area comes back as a message naming the allowed ones; nothing is created.
    response = officer.post(f"/tasks/{task.pk}/route/", {"areas": [district.grid_b.pk]}, follow=True)
    assert "樟树潭二网格" in response.content.decode()
    assert Task.objects.filter(parent=task).count() == 1
    worker = login(personas.grid_worker)
    listing = worker.get("/tasks/", {"mine": "true"})
    assert_status(listing, 200)
    assert [row[0].pk for row in listing.context["rows"]] == [child.pk]
    assert_status(worker.post(f"/tasks/{child.pk}/reply/", {"text": "收到"}), 302)
    assert child.replies.filter(text="收到").exists()
    assert_status(worker.get(f"/tasks/{task.pk}/"), 404)
    assert_status(login(personas.outsider).get(f"/tasks/{child.pk}/"), 404)
    assert_status(login(personas.liaison).get("/tasks/"), 403)
    # In sight (created there) but no longer held there: a step is 403.
    mine = services.create_task(
        {"title": "自查", "area": district.grid_a, "due_on": due()}, actor=personas.grid_worker
    )
    services.escalate_task(mine, actor=personas.grid_worker, reason="上报")
    services.escalate_task(mine, actor=personas.community_officer, reason="上报")
    assert_status(worker.post(f"/tasks/{mine.pk}/done/", {}), 403)
