"""Open patrol findings in the work queue (巡查发现待处理): a premises with one is an item until an
inspection covers it or the finding is closed; a building-wide finding is not a queue item."""

from __future__ import annotations

import pytest
from django.utils import timezone

from firegrid.longterm.choices import QueueKind
from firegrid.longterm.queue import kind_counts, work_queue
from firegrid.patrols import services
from firegrid.rectification.testing import inspect

from .scene import make_finding

pytestmark = pytest.mark.django_db


def items(user):
    return {item.premises.pk: item for item in work_queue(user, today=timezone.localdate()).items}


def test_an_open_finding_is_in_the_queue_until_an_inspection_covers_it(patrol_scene, personas, checklist):
    s = patrol_scene
    make_finding(
        s.volunteer_patrol, s.d.building_a, personas.landlord, premises=s.d.premises_a, note="二楼电线老化"
    )
    make_finding(s.volunteer_patrol, s.d.building_a, personas.landlord, note="楼道堆物")  # building-wide
    found = items(personas.grid_worker)
    assert set(found) == {s.d.premises_a.pk}
    assert (
        found[s.d.premises_a.pk].reason.startswith("巡查发现（")
        and "二楼电线老化" in found[s.d.premises_a.pk].reason
    )
    assert kind_counts(personas.grid_worker, today=timezone.localdate())[QueueKind.PATROL_FINDING] == 1
    assert items(personas.outsider) == {}
    inspect(s.d.premises_a, actor=personas.grid_worker)
    assert items(personas.grid_worker) == {}


def test_a_closed_finding_leaves_the_queue(patrol_scene, personas):
    s = patrol_scene
    finding = make_finding(s.patrol, s.d.building_a, personas.grid_worker, premises=s.d.shop_a)
    make_finding(s.patrol, s.d.building_a, personas.grid_worker, premises=s.d.shop_a, note="第二条")
    assert "2 条" in items(personas.grid_worker)[s.d.shop_a.pk].reason
    services.close_finding(finding, actor=personas.community_officer, note="已由社区处理")
    assert "第二条" in items(personas.grid_worker)[s.d.shop_a.pk].reason
