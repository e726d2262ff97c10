"""visible_to: who sees which tasks and task replies, and which actions each role may take on tasks.

The command and the system administrator see every task. A department officer, district-wide elsewhere,
sees their department's: held, started, or joined as one of a joint team's departments. Area roles see
the tasks held by or started in their areas' subtrees. Anyone sees a task they created or are assigned.
A reply is seen by whoever sees its task.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from firegrid import testing as t
from firegrid.areas.choices import DepartmentKind
from firegrid.conftest import (
    EVERY_PERSONA,
    allowed,
    assert_allowed_actions_reach_the_rows_seen,
    assert_refused_actions_see_nothing,
    ids_of,
    seen,
)
from firegrid.tasks.choices import TaskKind
from firegrid.tasks.models import Task, TaskReply

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(district, personas):
    d = district
    housing = t.make_department("衢江区住建局", DepartmentKind.HOUSING)
    police = t.make_department("衢江区公安分局", DepartmentKind.POLICE)
    due = timezone.localdate() + dt.timedelta(days=7)

    def task(title, *, departments=(), **holder):
        made = Task.objects.create(title=title, due_on=due, created_by=personas.commander, **holder)
        made.departments.set(departments)
        TaskReply.objects.create(task=made, author_name="指挥部", text="请抓紧办理")
        return made

    return SimpleNamespace(
        # Routed down to grid A from the district.
        grid_a=task("樟树潭一网格排查", area=d.grid_a, origin_area=d.d),
        # Routed from the subdistrict to its community.
        c1=task("樟树潭社区复查", area=d.c1, origin_area=d.s1),
        grid_b=task("浮石一网格排查", area=d.grid_b, origin_area=d.c2),
        # Escalated from grid A2 up to the district: its origin keeps sight of it.
        from_a2=task("樟树潭二网格上报", area=d.d, origin_area=d.grid_a2),
        # Held by the district and assigned to grid B's worker by name.
        assigned=task("专项督查", area=d.d, origin_area=d.d, assignee=personas.outsider),
        fire=task("消防检查", department=d.fire, origin_area=d.d),
        # Started by the fire service, held by housing.
        by_fire=task("危房鉴定", department=housing, origin_department=d.fire),
        police=task("治安检查", department=police, origin_area=d.d),
        # A joint team held by the police with the fire service in it.
        joint=task(
            "联合处置",
            kind=TaskKind.JOINT_TEAM,
            department=police,
            origin_area=d.d,
            departments=[d.fire, police],
        ),
    )


def expected(scene) -> dict[str, set[int]]:
    everything = ids_of(scene, *vars(scene))
    c1_subtree = ids_of(scene, "grid_a", "c1", "from_a2")
    return {
        "admin": everything,
        "commander": everything,
        "fire_officer": ids_of(scene, "fire", "by_fire", "joint"),
        "subdistrict_officer": c1_subtree,
        "community_officer": c1_subtree,
        "grid_worker": ids_of(scene, "grid_a"),
        "outsider": ids_of(scene, "grid_b", "assigned"),
        "liaison": set(),
        "other_liaison": set(),
        "landlord": set(),
    }


def test_tasks(scene, personas):
    assert seen(Task, personas) == expected(scene)


def test_replies_follow_their_tasks(scene, personas):
    replies = {
        name: {Task.objects.get(pk=pk).replies.get().pk for pk in rows}
        for name, rows in expected(scene).items()
    }
    assert seen(TaskReply, personas) == replies
    # Replies have no grants of their own: an action on the task decides (a role without tasks sees none).
    assert seen(TaskReply, personas, "change") == {
        name: replies[name] if name not in ("liaison", "other_liaison", "landlord") else set()
        for name in EVERY_PERSONA
    }


def test_actions_on_tasks(scene, personas):
    # ACTION_LETTERS of conftest.py: view, add, change, delete, export, reveal, void. Who may act on one
    # task is the holder's business (tasks.services.acts_for); these say who works with tasks at all.
    assert allowed(Task, personas) == {
        "admin": "vacderx",
        **dict.fromkeys(
            (
                "commander",
                "fire_officer",
                "subdistrict_officer",
                "community_officer",
                "grid_worker",
                "outsider",
            ),
            "vacer",
        ),
        "liaison": "",
        "other_liaison": "",
        "landlord": "",
    }
    assert_refused_actions_see_nothing(Task, personas)
    assert_allowed_actions_reach_the_rows_seen(Task, personas)
