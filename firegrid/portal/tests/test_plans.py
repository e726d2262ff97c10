"""The landlord's side of the plan: the home cards, the plan page reached by its public key (the QR code
on every notice), the pledge, proof photos, the recheck request and the documents — and that nobody
else's plan, photo or document can be reached from the portal."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from firegrid import testing as t
from firegrid.areas.choices import Role
from firegrid.conftest import assert_status
from firegrid.inspections import services as inspections
from firegrid.inspections.choices import AnswerResult, InspectionKind, VisitOutcome
from firegrid.inspections.models import Photo
from firegrid.rectification import services as rectification
from firegrid.rectification.choices import DocumentKind, MoveName, PlanState
from firegrid.rectification.documents import landlord_url
from firegrid.rectification.models import Document, ProofPhoto
from firegrid.rectification.testing import inspect, plan_with_hazards

pytestmark = pytest.mark.django_db

IP = "10.8.8.8"


def jpeg(name: str = "after.jpg", colour=(40, 160, 60)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def page_url(plan) -> str:
    return f"/portal/plans/{plan.public_key}/"


@pytest.fixture
def landlord(personas):
    client = Client(REMOTE_ADDR=IP)
    client.force_login(personas.landlord)
    return client


@pytest.fixture
def other_landlord(district):
    """李秀英, landlord of premises_b, signed in."""
    user = t.make_user("landlord_b", Role.LANDLORD, landlord=district.landlord_b)
    client = Client(REMOTE_ADDR="10.9.9.9")
    client.force_login(user)
    return client


@pytest.fixture
def plan(checklist, district, personas):
    """张建国's premises_a: SEP-01 and EXIT-03 failed, the notice served."""
    gw = personas.grid_worker
    return rectification.notify_plan(plan_with_hazards(district.premises_a, actor=gw), actor=gw)


def nearest_item_deadline(plan) -> dt.date:
    return min(plan.items.values_list("deadline", flat=True))


def item_of(plan, code: str):
    return plan.items.get(hazard__item__code=code)


# --- reaching the plan --------------------------------------------------------------------------------


def test_the_qr_code_path_is_the_plan_page(plan):
    assert landlord_url(plan).endswith(page_url(plan))


def test_the_landlord_sees_their_plan_by_its_public_key(landlord, plan):
    response = landlord.get(page_url(plan))
    assert_status(response, 200)
    page = response.content.decode()
    assert "樟潭街道樟树潭村12号 整幢" in page
    assert "已送达通知" in page and "签署承诺书" in page
    # The countdown runs to the nearest deadline still open (SEP-01's), not the plan's own.
    days = (nearest_item_deadline(plan) - timezone.localdate()).days
    assert days < plan.days_left()
    assert f"还剩 {days} 天" in page and f"还剩 {plan.days_left()} 天" not in page
    for code in ("SEP-01", "EXIT-03"):
        item = item_of(plan, code)
        assert item.hazard.item.title in page
        assert str(item.measure).splitlines()[0] in page
        assert item.deadline.strftime("%Y-%m-%d") in page
        assert f'id="item-{item.pk}"' in page
        assert f'action="/portal/plans/{plan.public_key}/items/{item.pk}/photos/"' in page
    assert 'accept="image/*" capture="environment"' in page
    notice = plan.documents.get(kind=DocumentKind.NOTICE)
    assert f'href="/portal/documents/{notice.pk}.pdf"' in page and notice.serial in page
    # No back-office frame: no staff menu on a landlord's page.
    assert 'class="sidebar' not in page and "/rectification/" not in page


def test_another_landlord_gets_404(other_landlord, plan):
    assert other_landlord.get(page_url(plan)).status_code == 404
    assert other_landlord.post(f"{page_url(plan)}recheck/").status_code == 404
    assert other_landlord.post(f"{page_url(plan)}pledge/", {"signed_name": "张建国"}).status_code == 404
    plan.refresh_from_db()
    assert plan.state == PlanState.NOTIFIED


def test_an_unknown_key_is_404(landlord, plan):
    assert landlord.get("/portal/plans/00000000-0000-4000-8000-000000000000/").status_code == 404


def test_anonymous_visitors_sign_in_and_come_back(client, plan, district, locmem_sms):
    response = client.get(page_url(plan))
    assert response.status_code == 302
    assert response["Location"] == f"/portal/login/?next={page_url(plan)}"
    login = client.get(response["Location"]).content.decode()
    assert f'name="next" value="{page_url(plan)}"' in login
    mobile = district.landlord_a.mobile
    client.post("/portal/login/", {"action": "send", "mobile": mobile})
    code = re.search(r"\d{6}", locmem_sms[-1].text).group()
    response = client.post(
        "/portal/login/", {"action": "login", "mobile": mobile, "code": code, "next": page_url(plan)}
    )
    assert response["Location"] == page_url(plan)
    assert client.get(page_url(plan)).status_code == 200


def test_staff_in_scope_are_taken_to_the_staff_page_others_refused(login, personas, plan):
    response = login(personas.grid_worker).get(page_url(plan))
    assert response.status_code == 302 and response["Location"] == f"/rectification/plans/{plan.pk}/"
    # The portal itself stays the landlords': outside their scope, or for any action, staff are refused.
    assert login(personas.outsider).get(page_url(plan)).status_code == 403
    assert login(personas.grid_worker).post(f"{page_url(plan)}recheck/").status_code == 403
    assert login(personas.grid_worker).get("/portal/").status_code == 403


# --- the home page ---------------------------------------------------------------------------------------


def test_home_shows_the_open_plan_card_and_ended_plans_below(landlord, plan, district, personas):
    page = landlord.get("/portal/").content.decode()
    card = page[page.index(f'id="plan-{plan.pk}"') :]
    card = card[: card.index("</div>\n", card.index("查看整改方案"))]
    assert "已送达通知" in card and "整改通知已送达，请签署承诺书" in card
    assert f"还剩 {(nearest_item_deadline(plan) - timezone.localdate()).days} 天" in card
    assert "2 项隐患" in card
    assert f'href="{page_url(plan)}"' in card
    assert "已结束的整改" not in page

    # The shop's plan is cancelled: it leaves the cards and is listed as history.
    gw = personas.grid_worker
    inspect(district.shop_a, actor=gw, fail=["SEP-01"])
    shop_plan = rectification.create_plan(district.shop_a, actor=gw)
    rectification.cancel_plan(shop_plan, actor=personas.community_officer, reason="店面已停业")
    page = landlord.get("/portal/").content.decode()
    history = page[page.index("已结束的整改") :]
    assert f'href="{page_url(shop_plan)}"' in history and "已撤销" in history
    assert f'id="plan-{shop_plan.pk}"' not in page


def test_the_countdown_turns_to_overdue(landlord, plan, personas, time_machine):
    two_days_late = dt.datetime.combine(plan.deadline + dt.timedelta(days=2), dt.time(9))
    time_machine.move_to(timezone.make_aware(two_days_late), tick=False)
    assert rectification.mark_overdue() == 1
    landlord.force_login(personas.landlord)  # the session of weeks ago has expired
    page = landlord.get(page_url(plan)).content.decode()
    late = (timezone.localdate() - nearest_item_deadline(plan)).days
    assert late > 2  # SEP-01 was due before the plan's own deadline
    assert "已超过整改期限" in page and f"已逾期 {late} 天" in page and "tone-late" in page
    # Overdue: photos still go up, but the recheck is the officers' call now.
    assert "上传整改照片" in page and 'id="request-recheck"' not in page
    assert f"已逾期 {late} 天" in landlord.get("/portal/").content.decode()


def test_countdown_words(plan):
    from firegrid.portal.views import countdown

    assert countdown(plan, plan.deadline - dt.timedelta(days=5)) == {"text": "还剩 5 天", "tone": "ok"}
    assert countdown(plan, plan.deadline - dt.timedelta(days=2))["tone"] == "soon"
    assert countdown(plan, plan.deadline) == {"text": "今天到期", "tone": "soon"}
    assert countdown(plan, plan.deadline + dt.timedelta(days=2)) == {"text": "已逾期 2 天", "tone": "late"}
    plan.state = PlanState.ACCEPTED
    assert countdown(plan) is None


# --- the pledge ------------------------------------------------------------------------------------------


def test_signing_the_pledge_keeps_name_time_and_ip(landlord, plan):
    page = landlord.get(page_url(plan)).content.decode()
    assert "本人张建国" in page and "无异议，并郑重承诺" in page and 'name="signed_name"' in page

    wrong = landlord.post(f"{page_url(plan)}pledge/", {"signed_name": "张三"})
    assert_status(wrong, 400)
    assert list(wrong.context["pledge_form"].errors["signed_name"]) == ["签名须与房东姓名一致。"]
    assert 'value="张三"' in wrong.content.decode()  # what was typed stays
    assert not plan.documents.filter(kind=DocumentKind.PLEDGE).exists()

    empty = landlord.post(f"{page_url(plan)}pledge/", {"signed_name": " "})
    assert list(empty.context["pledge_form"].errors["signed_name"]) == ["请输入您的姓名作为签名。"]

    response = landlord.post(f"{page_url(plan)}pledge/", {"signed_name": "张建国"}, follow=True)
    assert response.redirect_chain[-1][0] == f"{page_url(plan)}#pledge"
    pledge = plan.documents.get(kind=DocumentKind.PLEDGE)
    assert (pledge.signed_name, pledge.signed_ip) == ("张建国", IP)
    assert abs(pledge.signed_at - timezone.now()) < dt.timedelta(minutes=1)
    plan.refresh_from_db()
    assert plan.state == PlanState.RECTIFYING
    page = response.content.decode()
    when = timezone.localtime(pledge.signed_at).strftime("%Y-%m-%d %H:%M")
    assert f"已于 {when} 签署" in page
    assert "已签署承诺书" in page  # the message after the redirect
    assert 'name="signed_name"' not in page
    assert "请按以下措施整改，完成后上传照片并申请复查" in page


def test_a_second_signature_is_refused_with_a_message(landlord, plan):
    landlord.post(f"{page_url(plan)}pledge/", {"signed_name": "张建国"})
    again = landlord.post(f"{page_url(plan)}pledge/", {"signed_name": "张建国"})
    assert_status(again, 400)
    assert "不能重复签署" in " ".join(again.context["pledge_errors"])
    assert 'id="pledge-errors"' in again.content.decode()
    assert plan.documents.filter(kind=DocumentKind.PLEDGE).count() == 1


# --- proof photos ----------------------------------------------------------------------------------------


def test_uploading_proof_and_its_file_is_the_landlords_alone(landlord, other_landlord, plan, login, personas):
    item = item_of(plan, "SEP-01")
    response = landlord.post(f"{page_url(plan)}items/{item.pk}/photos/", {"image": jpeg()})
    assert response.status_code == 302 and response["Location"] == f"{page_url(plan)}#item-{item.pk}"
    [photo] = ProofPhoto.objects.all()
    assert (photo.item, photo.uploaded_by) == (item, personas.landlord)

    page = landlord.get(page_url(plan)).content.decode()
    assert "已上传 1 张整改照片" in page
    assert f'src="/portal/proof-photos/{photo.pk}/thumbnail"' in page
    for variant in ("image", "thumbnail"):
        url = f"/portal/proof-photos/{photo.pk}/{variant}"
        response = landlord.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
        assert other_landlord.get(url).status_code == 404
    assert landlord.get(f"/portal/proof-photos/{photo.pk}/original").status_code == 404


def test_a_bad_file_is_named_on_its_hazard_and_nothing_else_is_lost(landlord, plan):
    sep, exit_ = item_of(plan, "SEP-01"), item_of(plan, "EXIT-03")
    landlord.post(f"{page_url(plan)}items/{exit_.pk}/photos/", {"image": jpeg()})
    bad = SimpleUploadedFile("notes.txt", b"not a picture at all", content_type="text/plain")
    response = landlord.post(f"{page_url(plan)}items/{sep.pk}/photos/", {"image": [jpeg("ok.jpg"), bad]})
    assert_status(response, 400)
    page = response.content.decode()
    errors = page[page.index(f'id="item-{sep.pk}-errors"') :]
    assert errors.startswith(f'id="item-{sep.pk}-errors"') and "notes.txt：" in errors[:400]
    assert f'id="item-{exit_.pk}-errors"' not in page
    # The good photo of the same upload and the other hazard's photo are kept.
    assert ProofPhoto.objects.filter(item=sep).count() == 1
    assert ProofPhoto.objects.filter(item=exit_).count() == 1
    assert "已上传 1 张整改照片" in page

    nothing = landlord.post(f"{page_url(plan)}items/{sep.pk}/photos/", {})
    assert "请选择或拍摄照片。" in nothing.content.decode()


def test_an_item_of_another_plan_is_404(landlord, plan, checklist, district, personas):
    inspect(district.premises_b, actor=personas.outsider, fail=["SEP-01"])
    foreign = rectification.create_plan(district.premises_b, actor=personas.outsider)
    item = foreign.items.get()
    response = landlord.post(f"{page_url(plan)}items/{item.pk}/photos/", {"image": jpeg()})
    assert response.status_code == 404
    assert not ProofPhoto.objects.exists()


@pytest.mark.parametrize("ending", ["cancel", "accept"])
def test_an_upload_to_an_ended_plan_is_refused_with_a_message(landlord, plan, district, personas, ending):
    gw = personas.grid_worker
    item = item_of(plan, "SEP-01")
    if ending == "cancel":
        rectification.cancel_plan(plan, actor=personas.community_officer, reason="房屋已拆除")
        expected = "已撤销"
    else:
        rectification.start_rectification(plan, actor=gw)
        rectification.request_recheck(plan, actor=gw)
        inspect(district.premises_a, actor=gw, kind=InspectionKind.ACCEPTANCE)
        expected = "已验收"
    plan.refresh_from_db()
    assert plan.is_closed
    page = landlord.get(page_url(plan)).content.decode()
    assert "上传整改照片" not in page
    response = landlord.post(f"{page_url(plan)}items/{item.pk}/photos/", {"image": jpeg()})
    assert_status(response, 400)
    errors = response.content.decode()
    errors = errors[errors.index(f'id="item-{item.pk}-errors"') :][:300]
    assert f"方案当前状态为“{expected}”，不能再上传整改照片。" in errors
    assert not ProofPhoto.objects.exists()


def test_inspection_photos_of_the_hazard_are_shown(
    landlord, other_landlord, checklist, district, personas, login
):
    gw = personas.grid_worker
    inspection = inspections.start_inspection(actor=gw, premises=district.premises_a)
    answers = [
        inspections.AnswerInput(i.code, AnswerResult.FAIL if i.code == "SEP-01" else AnswerResult.PASS)
        for i in inspection.applicable_items()
    ]
    inspections.save_answers(inspection, answers, actor=gw)
    photo = inspections.add_photo(inspection, jpeg("before.jpg", (200, 40, 40)), actor=gw, item_code="SEP-01")
    inspections.submit_inspection(inspection, actor=gw, outcome=VisitOutcome.INSPECTED, answers=answers)
    plan = rectification.notify_plan(rectification.create_plan(district.premises_a, actor=gw), actor=gw)
    page = landlord.get(page_url(plan)).content.decode()
    # Served by the portal's own photo view (never the back office's URL), to the landlord only.
    thumbnail = f"/portal/photos/{photo.pk}/thumbnail"
    assert f'src="{thumbnail}"' in page and photo.get_thumbnail_url() not in page
    assert Photo.objects.visible_to(personas.landlord).filter(pk=photo.pk).exists()
    response = landlord.get(thumbnail)
    assert_status(response, 200)
    assert response["Content-Type"] == "image/jpeg"
    assert landlord.get(f"/portal/photos/{photo.pk}/image").status_code == 200
    assert other_landlord.get(thumbnail).status_code == 404
    assert login(personas.grid_worker).get(thumbnail).status_code == 403


# --- the recheck -----------------------------------------------------------------------------------------


def test_requesting_the_recheck(landlord, plan):
    page = landlord.get(page_url(plan)).content.decode()
    assert 'id="request-recheck"' not in page  # notified: the pledge comes first
    landlord.post(f"{page_url(plan)}pledge/", {"signed_name": "张建国"})
    page = landlord.get(page_url(plan)).content.decode()
    assert 'id="request-recheck"' in page and "还有 2 项隐患没有上传整改照片" in page

    response = landlord.post(f"{page_url(plan)}recheck/", follow=True)
    assert response.redirect_chain[-1][0] == page_url(plan)
    plan.refresh_from_db()
    assert plan.state == PlanState.RECHECK_REQUESTED
    move = plan.moves.last()
    assert (move.name, move.actor.role) == (MoveName.REQUEST_RECHECK, Role.LANDLORD)
    page = response.content.decode()
    assert "已申请复查，工作人员会尽快上门复查。" in page and "等待复查" in page
    assert 'id="request-recheck"' not in page and "上传整改照片" not in page

    twice = landlord.post(f"{page_url(plan)}recheck/")
    assert_status(twice, 400)
    assert "不能申请复查" in twice.content.decode()
    assert plan.moves.filter(name=MoveName.REQUEST_RECHECK).count() == 1


def test_a_recheck_before_the_pledge_is_refused_with_the_allowed_moves(landlord, plan):
    response = landlord.post(f"{page_url(plan)}recheck/")
    assert_status(response, 400)
    assert "方案当前状态为“已送达通知”，不能申请复查" in " ".join(response.context["recheck_errors"])
    plan.refresh_from_db()
    assert plan.state == PlanState.NOTIFIED


def test_the_history_in_plain_words(landlord, plan):
    page = landlord.get(page_url(plan)).content.decode()
    history = page[page.index('id="history"') :]
    assert "制定方案" in history and "送达通知" in history
    assert "由“草稿”变为“已送达通知”" in history


def test_the_booking_link_is_the_portals_while_there_is_work(landlord, plan, personas):
    page = landlord.get(page_url(plan)).content.decode()
    assert f'href="{page_url(plan)}book/"' in page and "/outreach/" not in page
    rectification.cancel_plan(plan, actor=personas.community_officer, reason="店面已停业")
    assert f"{page_url(plan)}book/" not in landlord.get(page_url(plan)).content.decode()


# --- documents -------------------------------------------------------------------------------------------


def test_a_document_pdf_for_the_owner_only(landlord, other_landlord, plan, login, personas):
    notice = plan.documents.get(kind=DocumentKind.NOTICE)
    url = f"/portal/documents/{notice.pk}.pdf"
    response = landlord.get(url)
    assert_status(response, 200)
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert notice.serial in response["Content-Disposition"] or "filename*" in response["Content-Disposition"]
    assert other_landlord.get(url).status_code == 404
    assert landlord.get(f"/portal/documents/{notice.pk + 999}.pdf").status_code == 404
    assert Client().get(url)["Location"].startswith("/portal/login/")


def test_the_acceptance_record_is_listed_once_accepted(landlord, plan, district, personas):
    gw = personas.grid_worker
    landlord.post(f"{page_url(plan)}pledge/", {"signed_name": "张建国"})
    landlord.post(f"{page_url(plan)}recheck/")
    inspect(district.premises_a, actor=gw, kind=InspectionKind.ACCEPTANCE)
    page = landlord.get(page_url(plan)).content.decode()
    record = Document.objects.get(plan=plan, kind=DocumentKind.ACCEPTANCE)
    assert "整改已验收合格" in page and f'href="/portal/documents/{record.pk}.pdf"' in page
    assert "整改验收单" in page and 'id="countdown"' not in page
