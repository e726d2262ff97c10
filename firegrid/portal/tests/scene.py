"""A landlord as the demo has them: 张建国 (personas.landlord) with two premises, an open plan whose notice
was served and pledge signed, a photo from the inspection and an after-photo of his own, a cancelled plan
on the shop, risk grades, points with a 文明家庭 certificate, a submitted self-inspection, tenants, a
contractor's booking and a patrol under way on his volunteer team — so every portal page has something on
it to link to."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from firegrid.inspections import services as inspections
from firegrid.inspections.choices import AnswerResult, VisitOutcome
from firegrid.longterm.tests.self_checks import submit
from firegrid.outreach import services as outreach
from firegrid.outreach.choices import Trade
from firegrid.outreach.models import Contractor, Slot
from firegrid.patrols.choices import TeamKind
from firegrid.patrols.tests.scene import make_patrol, make_team
from firegrid.points import evaluation
from firegrid.points import services as points
from firegrid.points.tests.scene import YEAR, give
from firegrid.rectification import services as rectification
from firegrid.rectification.testing import inspect
from firegrid.risk import services as risk


def jpeg(name: str, colour=(40, 160, 60)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def landlord_scene(district, personas) -> SimpleNamespace:
    d, gw, me = district, personas.grid_worker, personas.landlord
    # premises_a: SEP-01 and EXIT-03 failed, a photo of SEP-01; the notice served, the pledge signed,
    # an after-photo of SEP-01 uploaded.
    inspection = inspections.start_inspection(actor=gw, premises=d.premises_a)
    answers = [
        inspections.AnswerInput(
            i.code, AnswerResult.FAIL if i.code in ("SEP-01", "EXIT-03") else AnswerResult.PASS
        )
        for i in inspection.applicable_items()
    ]
    inspections.save_answers(inspection, answers, actor=gw)
    evidence = inspections.add_photo(
        inspection, jpeg("before.jpg", (200, 40, 40)), actor=gw, item_code="SEP-01"
    )
    inspections.submit_inspection(inspection, actor=gw, outcome=VisitOutcome.INSPECTED, answers=answers)
    plan = rectification.notify_plan(rectification.create_plan(d.premises_a, actor=gw), actor=gw)
    rectification.sign_pledge(plan, actor=me, name=d.landlord_a.name, ip="10.8.8.8")
    item = plan.items.get(hazard__item__code="SEP-01")
    proof = rectification.add_proof_photo(item, jpeg("after.jpg"), actor=me)
    # The shop: a plan cancelled (an ended plan, listed below the open ones).
    inspect(d.shop_a, actor=gw, fail=["SEP-01"])
    shop_plan = rectification.cancel_plan(
        rectification.create_plan(d.shop_a, actor=gw), actor=personas.community_officer, reason="店面已停业"
    )
    risk.recompute_grades([d.premises_a.pk, d.shop_a.pk], cause="command", now=timezone.now())
    # This month's self-inspection of the shop; premises_a's is still due.
    self_inspection = submit(d.shop_a, me)
    # Points and a certificate: 文明家庭 from 105 points, nominated by the confirmed evaluation.
    draft = points.create_rule_set_draft(points.default_rule_set(), code="portal-test", actor=personas.admin)
    points.update_rule_set_parameters(
        draft,
        {"nominations": {"family_min_points": 105, "family_max_share_percent": 100}},
        actor=personas.admin,
    )
    points.publish_rule_set(draft, actor=personas.admin)
    give(d.landlord_a, 20)
    ev = evaluation.evaluate(YEAR, actor=personas.commander)
    evaluation.confirm_evaluation(ev, actor=personas.commander, expected_version=ev.version)
    nomination = d.landlord_a.nominations.first()
    # A contractor serving the subdistrict, one slot booked for the plan, one free.
    contractor = Contractor.objects.create(
        name="王师傅电工队", trade=Trade.ELECTRICIAN, mobile="13900000001", company="衢江电力安装"
    )
    contractor.areas.set([d.s1])
    start = (timezone.now() + dt.timedelta(days=2)).replace(second=0, microsecond=0)
    slots = [
        Slot.objects.create(
            contractor=contractor,
            starts_at=start + dt.timedelta(days=n),
            ends_at=start + dt.timedelta(days=n, hours=2),
        )
        for n in range(2)
    ]
    booking = outreach.book_slot(slots[0], plan, actor=me, item=item, note="更换电线")
    # The landlords' volunteer patrol team, a patrol under way past building_a.
    team = make_team(d.grid_a, [me], kind=TeamKind.LANDLORDS, name="樟树潭房东巡查队")
    patrol = make_patrol(team, [d.building_a], created_by=gw)
    return SimpleNamespace(
        d=d,
        plan=plan,
        item=item,
        evidence=evidence,
        proof=proof,
        shop_plan=shop_plan,
        self_inspection=self_inspection,
        nomination=nomination,
        contractor=contractor,
        free_slot=slots[1],
        booking=booking,
        team=team,
        patrol=patrol,
    )
