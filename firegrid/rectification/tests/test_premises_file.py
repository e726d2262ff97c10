"""The premises file (一户一档): every kind of event after a realistic sequence, newest first, one entry
per event, paginated with a constant number of queries, scoped, and printable as one PDF."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from firegrid import testing as t
from firegrid.areas.choices import Role
from firegrid.conftest import assert_status
from firegrid.core.services import update_record
from firegrid.inspections import services as inspections
from firegrid.inspections.choices import AnswerResult, VisitOutcome
from firegrid.rectification import premises_file as pf
from firegrid.rectification import services as s
from firegrid.rectification.choices import EnforcementKind
from firegrid.rectification.models import PlanMove, PremisesNote

pytestmark = pytest.mark.django_db

FAIL = "SEP-01"


def jpeg(colour=(200, 30, 30)) -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, "JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def story(premises, personas, district):
    """What happens to a premises in the campaign: a registry correction, a survey that finds a hazard
    (with a photo), a plan served, the landlord's pledge and proof, an interview, two notes."""
    gw, landlord = personas.grid_worker, personas.landlord
    premises.refresh_from_db()
    premises = update_record(
        premises, {"is_shared_rental": True}, actor=gw, expected_version=premises.version
    )
    inspection = inspections.start_inspection(actor=gw, premises=premises)
    answers = [
        inspections.AnswerInput(i.code, AnswerResult.FAIL if i.code == FAIL else AnswerResult.PASS)
        for i in inspection.applicable_items()
    ]
    inspections.save_answers(inspection, answers, actor=gw)
    photo = inspections.add_photo(inspection, jpeg(), actor=gw, item_code=FAIL)
    inspections.submit_inspection(inspection, actor=gw, outcome=VisitOutcome.INSPECTED, answers=answers)
    plan = s.create_plan(premises, actor=gw)
    plan = s.notify_plan(plan, actor=gw)
    pledge = s.sign_pledge(plan, actor=landlord, name=district.landlord_a.name, ip="10.0.0.8")
    proof = s.add_proof_photo(plan.items.get(), jpeg((30, 200, 30)), actor=landlord)
    enforcement = s.record_enforcement(
        premises,
        {
            "kind": EnforcementKind.INTERVIEW,
            "department": district.fire,
            "legal_basis": "《中华人民共和国消防法》第十六条",
            "date": timezone.localdate(),
        },
        actor=personas.community_officer,
        plan=plan,
    )
    staff_note = pf.add_note(premises, actor=gw, text="房东称下周更换插线板")
    public_note = pf.add_note(premises, actor=gw, text="请于月底前完成整改", public=True)
    plan.refresh_from_db()
    return SimpleNamespace(**locals())


def kinds(page) -> list[str]:
    return [e.kind for e in page]


def test_the_file_tells_every_kind_of_event_once_newest_first(checklist, district, personas):
    st = story(district.premises_a, personas, district)
    page = pf.timeline(district.premises_a, personas.grid_worker, per_page=200)
    assert set(kinds(page)) >= {
        "registry",
        "inspection",
        "hazard",
        "plan",
        "document",
        "proof",
        "enforcement",
        "note",
    }
    times = [e.time for e in page]
    assert times == sorted(times, reverse=True)
    assert page.entries[0].text == "请于月底前完成整改"

    registry = next(e for e in page if e.kind == "registry")
    assert ("群租房", "否", "是") in registry.changes
    assert registry.actor == str(personas.grid_worker)

    (inspection,) = [e for e in page if e.kind == "inspection"]
    assert FAIL in inspection.text and inspection.title == "摸底排查：已检查"
    assert [p.thumbnail_url for p in inspection.photos] == [st.photo.get_thumbnail_url()]
    assert inspection.link == reverse("inspections:inspection_detail", args=[st.inspection.pk])

    hazards = [e for e in page if e.kind == "hazard"]
    assert any(e.title.startswith("发现隐患") and FAIL in e.title for e in hazards)
    # Serving the notice put the hazard into rectification: a status change of its own, audited.
    assert any("待整改 → 整改中" in e.title and "送达通知" in e.text for e in hazards)

    # Plan moves come from PlanMove only: the plan's audit entries for them are not repeated.
    plan_titles = [e.title for e in page if e.kind == "plan"]
    assert len(plan_titles) == PlanMove.objects.filter(plan=st.plan).count() == 3
    assert {"整改方案：制定方案", "整改方案：送达通知", "整改方案：开始整改"} == set(plan_titles)

    documents = [e for e in page if e.kind == "document"]
    pledge = next(e for e in documents if st.pledge.serial in e.title)
    assert pledge.link == reverse("rectification:document_pdf", args=[st.pledge.pk])
    assert len(documents) == st.plan.documents.count() == 2

    assert len([e for e in page if e.kind == "inspection"]) == 1
    assert len([e for e in page if e.kind == "enforcement"]) == 1
    assert "约谈" in next(e for e in page if e.kind == "enforcement").title
    (proof,) = [e for e in page if e.kind == "proof"]
    assert [p.thumbnail_url for p in proof.photos] == [
        reverse("rectification:proof_file", args=[st.proof.pk, "thumbnail"])
    ]
    assert len([e for e in page if e.kind == "note"]) == 2
    # Every audit entry a dedicated source already tells (inspection started/submitted, plan created and
    # moved, proof, enforcement, note) is left out: nothing falls through as a generic change.
    assert "change" not in kinds(page)
    assert page.total == len(page.entries) == 13


def test_plan_edits_stay_in_the_file_while_moves_are_told_once(checklist, district, personas):
    gw = personas.grid_worker
    st = story(district.premises_a, personas, district)
    new_deadline = st.plan.deadline + dt.timedelta(days=3)
    s.update_plan(st.plan, {"deadline": new_deadline}, actor=gw, expected_version=st.plan.version)
    page = pf.timeline(district.premises_a, gw, per_page=200)
    edit = page.entries[0]
    assert edit.kind == "plan" and edit.title.startswith("修改")
    assert ("整改期限", str(st.plan.deadline), str(new_deadline)) in edit.changes
    assert len([e for e in page if e.kind == "plan"]) == 4


def test_personal_data_stays_masked_in_registry_changes(login, checklist, district, personas):
    tenant = district.tenant_a
    old_mobile = tenant.mobile
    update_record(
        tenant, {"mobile": "13812345678"}, actor=personas.grid_worker, expected_version=tenant.version
    )
    page = pf.timeline(district.premises_a, personas.grid_worker)
    (change,) = [e for e in page if e.kind == "registry"]
    assert change.changes == [("手机号码", f"{old_mobile[:3]}****{old_mobile[-4:]}", "138****5678")]
    html = login(personas.grid_worker).get(
        reverse("rectification:premises_file", args=[district.premises_a.pk])
    )
    assert "138****5678" in html.content.decode() and "13812345678" not in html.content.decode()
    # A unit liaison follows the landlord, not the tenants: tenant changes are not in their file.
    assert not [e for e in pf.timeline(district.premises_a, personas.liaison) if e.kind == "registry"]


def test_pagination_walks_the_whole_file_without_gaps_or_repeats(checklist, district, personas):
    story(district.premises_a, personas, district)
    gw = personas.grid_worker
    everything = pf.timeline(district.premises_a, gw, per_page=200)
    walked, number = [], 1
    while True:
        page = pf.timeline(district.premises_a, gw, page=number, per_page=4)
        assert len(page) <= 4 and page.total == everything.total
        walked += [(e.source, e.pk) for e in page]
        if not page.has_next:
            break
        number += 1
    assert walked == [(e.source, e.pk) for e in everything]
    assert number == page.num_pages == -(-everything.total // 4)
    assert not pf.timeline(district.premises_a, gw, page=number + 1, per_page=4).entries


@time_machine.travel(dt.datetime(2019, 10, 8, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True)
def test_load_more_returns_the_next_page_as_a_fragment(login, checklist, district, personas):
    story(district.premises_a, personas, district)
    for i in range(13):
        pf.add_note(district.premises_a, actor=personas.grid_worker, text=f"走访记录 {i}")
    client = login(personas.grid_worker)
    url = reverse("rectification:premises_file", args=[district.premises_a.pk])
    first = client.get(url)
    assert_status(first, 200)
    body = first.content.decode()
    assert first.context["page"].total == 26 > pf.PER_PAGE  # the story's 13 entries and 13 notes
    assert body.count('class="pfile-entry') == pf.PER_PAGE
    assert body.count('class="pfile-day"') == 1  # everything happened today
    today = timezone.localdate().isoformat()
    more = f"{url}?page=2&amp;day={today}"
    assert f'hx-get="{more}"' in body
    fragment = client.get(url, {"page": 2, "day": today}, HTTP_HX_REQUEST="true")
    assert_status(fragment, 200)
    text = fragment.content.decode()
    assert "<html" not in text and "pfile-more" not in text
    assert text.count('class="pfile-entry') == 26 - pf.PER_PAGE
    assert 'class="pfile-day"' not in text  # the day goes on from the page above
    assert "制定方案" in text  # the oldest entries are on the last page
    # Without JavaScript the same page is a whole page with a way back.
    plain = client.get(url, {"page": 2})
    assert "较新的记录" in plain.content.decode() and 'class="pfile-day"' in plain.content.decode()


def test_pages_of_a_long_file_cost_as_many_queries_as_a_short_one(login, checklist, district, personas):
    short, long = district.premises_a, district.shop_a
    story(short, personas, district)
    gw = personas.grid_worker
    for i in range(25):
        long.refresh_from_db()
        update_record(long, {"business_name": f"小店{i}"}, actor=gw, expected_version=long.version)
        pf.add_note(long, actor=gw, text=f"第 {i} 次走访")
    long_story = story(long, personas, district)
    # More of the kinds that have photos and prefetched relations: a query per row would show.
    for _ in range(2):
        visit = inspections.start_inspection(actor=gw, premises=long)
        answers = [inspections.AnswerInput(i.code, AnswerResult.PASS) for i in visit.applicable_items()]
        inspections.save_answers(visit, answers, actor=gw)
        inspections.add_photo(visit, jpeg(), actor=gw, item_code=answers[0].item_code)
        inspections.submit_inspection(visit, actor=gw, outcome=VisitOutcome.INSPECTED, answers=answers)
    s.add_proof_photo(long_story.plan.items.get(), jpeg((0, 0, 200)), actor=personas.landlord)
    viewer = personas.commander  # district-wide, sees every kind
    assert (
        pf.timeline(long, viewer, per_page=200).total
        >= 60
        > 2 * pf.timeline(short, viewer, per_page=200).total
    )

    def queries(premises, **kw) -> int:
        with CaptureQueriesContext(connection) as ctx:
            page = pf.timeline(premises, viewer, **kw)
            assert set(kinds(page)) >= {"registry", "inspection", "hazard", "plan", "document", "note"}
        return len(ctx.captured_queries)

    pf.timeline(short, viewer)  # content types cached once per process
    assert queries(short, per_page=200) == queries(long, per_page=200)
    assert queries(short, per_page=20) == queries(long, per_page=20)

    client = login(viewer)

    def request_queries(premises) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert_status(client.get(reverse("rectification:premises_file", args=[premises.pk])), 200)
        return len(ctx.captured_queries)

    request_queries(short)
    short_count, long_count = request_queries(short), request_queries(long)
    print(f"\npremises file page: {short_count} queries (short file), {long_count} queries (long file)")
    assert short_count == long_count


def test_scope_outsiders_and_other_landlords_get_404(login, checklist, district, personas):
    story(district.premises_a, personas, district)
    url = reverse("rectification:premises_file", args=[district.premises_a.pk])
    pdf = reverse("rectification:premises_dossier", args=[district.premises_a.pk])
    note = reverse("rectification:premises_file_note", args=[district.premises_a.pk])
    other_landlord = t.make_user("landlord_b", Role.LANDLORD, landlord=district.landlord_b)
    assert login(personas.grid_worker).__class__().get(url).status_code == 302  # anonymous → sign in
    for user in (personas.outsider, personas.other_liaison):
        client = login(user)
        assert_status(client.get(url), 404)
        assert_status(client.get(pdf), 404)
        assert_status(client.post(note, {"text": "x"}), 404)
    # Another landlord is sent to the portal's file, which does not find the premises; the staff PDF and
    # the note form are not theirs at all (the portal's home).
    client = login(other_landlord)
    assert_status(client.get(url, follow=True), 404)
    assert client.get(pdf)["Location"] == "/portal/"
    assert client.post(note, {"text": "x"})["Location"] == "/portal/"
    assert not PremisesNote.objects.filter(text="x").exists()
    # In scope: the unit liaison of the landlord's employer, the grid's officers.
    for user in (personas.liaison, personas.grid_worker, personas.community_officer, personas.fire_officer):
        assert_status(login(user).get(url), 200)


def test_the_owner_landlord_reads_their_file_in_the_portal_without_staff_notes(
    login, checklist, district, personas
):
    st = story(district.premises_a, personas, district)
    client = login(personas.landlord)
    portal_file = f"/portal/premises/{district.premises_a.pk}/file/"
    # The staff URL (a bookmark, a link in a message) leads to the portal's page of the same file.
    staff = client.get(reverse("rectification:premises_file", args=[district.premises_a.pk]))
    assert staff.status_code == 302 and staff["Location"] == portal_file
    response = client.get(portal_file)
    assert_status(response, 200)
    html = response.content.decode()
    assert "请于月底前完成整改" in html
    assert "房东称下周更换插线板" not in html
    assert "添加备注" not in html and 'class="sidebar"' not in html
    seen = set(kinds(pf.timeline(district.premises_a, personas.landlord, per_page=200)))
    # Enforcement served on the landlord is theirs to see; staff notes are not.
    assert {"inspection", "hazard", "plan", "document", "proof", "note", "enforcement"} <= seen
    # The proof thumbnail is the portal's own URL, served to them and not to an outsider.
    proof = f"/portal/proof-photos/{st.proof.pk}/thumbnail"
    assert proof in html and reverse("rectification:proof_file", args=[st.proof.pk, "thumbnail"]) not in html
    assert_status(client.get(proof), 200)
    assert_status(login(personas.outsider).get(proof), 403)
    # The plan entries link to the plan's portal page; entries without a portal page carry no link.
    assert f'href="/portal/plans/{st.plan.public_key}/"' in html
    assert 'href="/inspections/' not in html and 'href="/rectification/' not in html
    # The portal's premises page opens the file.
    assert portal_file in client.get(f"/portal/premises/{district.premises_a.pk}/").content.decode()


def test_officers_add_notes_landlords_may_not(login, checklist, district, personas):
    url = reverse("rectification:premises_file_note", args=[district.premises_a.pk])
    file_url = reverse("rectification:premises_file", args=[district.premises_a.pk])
    assert login(personas.landlord).post(url, {"text": "我已整改"})["Location"] == "/portal/"
    assert_status(login(personas.liaison).post(url, {"text": "单位已督促"}), 403)
    empty = login(personas.grid_worker).post(url, {"text": "   "})
    assert_status(empty, 400)
    assert "text" in empty.context["note_form"].errors
    response = login(personas.grid_worker).post(url, {"text": "电话联系房东，已告知整改要求", "public": "on"})
    assert response.status_code == 302 and response["Location"] == file_url
    note = PremisesNote.objects.get()
    assert note.public and note.author == personas.grid_worker and note.premises == district.premises_a
    page = pf.timeline(district.premises_a, personas.landlord)
    assert [e.text for e in page if e.kind == "note"] == ["电话联系房东，已告知整改要求"]


def test_the_premises_page_links_to_its_file(login, checklist, district, personas):
    response = login(personas.grid_worker).get(
        reverse("registry:premises_detail", args=[district.premises_a.pk])
    )
    assert reverse("rectification:premises_file", args=[district.premises_a.pk]) in response.content.decode()


def test_another_app_adds_its_own_source(checklist, district, personas):
    """The outreach app registers bookings the same way; here a stand-in source over notes."""

    def rows(premises, user):
        return PremisesNote.objects.filter(premises=premises, text__startswith="预约")

    def build(pks, user):
        return {
            n.pk: pf.Entry(time=n.time, kind="booking", title=f"预约施工：{n.text}")
            for n in PremisesNote.objects.filter(pk__in=pks)
        }

    pf.register_source(
        pf.Source(
            key="test_booking", time_field="time", rows=rows, build=build, kinds={"booking": "预约施工"}
        )
    )
    try:
        pf.add_note(district.premises_a, actor=personas.grid_worker, text="预约电工周五上门")
        page = pf.timeline(district.premises_a, personas.grid_worker)
        booking = next(e for e in page if e.kind == "booking")
        assert booking.kind_label == "预约施工" and booking.source == "test_booking"
    finally:
        pf.SOURCES.pop("test_booking")  # sources are registered once, at start-up: none is taken away
    assert "booking" not in kinds(pf.timeline(district.premises_a, personas.grid_worker))


def test_the_dossier_pdf_holds_the_address_and_the_hazards(login, checklist, district, personas):
    pytest.importorskip("weasyprint", reason="WeasyPrint renders the dossier")
    from firegrid.core.pdf import check_pdf_fonts

    if check_pdf_fonts():
        pytest.skip("; ".join(check_pdf_fonts()))
    st = story(district.premises_a, personas, district)
    response = login(personas.grid_worker).get(
        reverse("rectification:premises_dossier", args=[district.premises_a.pk])
    )
    assert_status(response, 200)
    assert response["Content-Type"] == "application/pdf"
    text = t.pdf_text(response.content).replace("\n", "").replace(" ", "")
    assert district.building_a.address in text
    hazard = st.plan.items.get().hazard
    assert hazard.item.title.replace(" ", "") in text
    assert "房东称下周更换插线板" in text  # staff notes print for staff


def test_the_dossier_content_caps_a_long_file_and_says_so(checklist, district, personas):
    story(district.premises_a, personas, district)
    content = pf.dossier_content(district.premises_a, personas.grid_worker, limit=5)
    from firegrid.core.pdf import validate_content

    validate_content(content)
    assert len(content["entries"]) == 5
    total = pf.timeline(district.premises_a, personas.grid_worker).total
    assert ["档案记录", f"共 {total} 条，本档案收录最近 5 条"] in content["facts"]
    times = [e["at"] for e in content["entries"]]
    assert times == sorted(times)  # oldest first on paper
    landlord_view = pf.dossier_content(district.premises_a, personas.landlord)
    assert "房东称下周更换插线板" not in str(landlord_view)
    assert any(
        e["thumbnails"] for e in pf.dossier_content(district.premises_a, personas.grid_worker)["entries"]
    )
