"""待办优先 on the task list: open tasks first, the nearest due date first (overdue ones lead), done and
cancelled ones last — web and API alike."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from firegrid.api_testing import api_client
from firegrid.conftest import assert_status
from firegrid.core.ordering import TODO_FIRST_LABEL
from firegrid.tasks import services
from firegrid.tasks.choices import TaskStatus
from firegrid.tasks.models import Task

pytestmark = pytest.mark.django_db


def in_days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def test_open_tasks_by_due_date_first_and_done_ones_last(district, personas, login):
    def task(title: str, due: int) -> Task:
        return services.create_task(
            {"title": title, "body": "", "area": district.s1, "due_on": in_days(due)},
            actor=personas.commander,
        )

    later, soon, overdue, done = task("十天后", 10), task("三天后", 3), task("已超期", 5), task("已办结", 1)
    # A scene: one task now overdue, one finished back in 2019 (its old due date first by date alone).
    Task.objects.filter(pk=overdue.pk).update(due_on=in_days(-2))
    Task.objects.filter(pk=done.pk).update(status=TaskStatus.DONE, due_on=dt.date(2019, 5, 1))
    expected = [overdue.pk, soon.pk, later.pk, done.pk]

    response = login(personas.commander).get(reverse("tasks:task_list"))
    assert_status(response, 200)
    assert [t.pk for t in response.context["object_list"]] == expected
    assert f'<option value="" selected>{TODO_FIRST_LABEL}</option>' in response.content.decode()
    response = api_client(personas.commander).get("/api/v1/tasks/")
    assert_status(response, 200)
    assert [row["id"] for row in response.data["results"]] == expected
