"""Staff pages of rectification: the plan list's scope per persona, filters, export; the plan page and
every move through the one transition view (happy path, illegal move, stale version, role without the
move); making a plan from a premises page; editing with a conflict; documents; enforcement; the ladder."""

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from firegrid.conftest import PORTAL, assert_status
from firegrid.inspections.choices import InspectionKind
from firegrid.rectification import services as s
from firegrid.rectification.choices import DocumentStatus, MoveName, PlanState
from firegrid.rectification.models import Document, EnforcementAction, Plan
from firegrid.rectification.testing import FAILING, inspect, plan_with_hazards

pytestmark = pytest.mark.django_db

TODAY = dt.date.today


def later(days: int) -> dt.date:
    return TODAY() + dt.timedelta(days=days)


@pytest.fixture
def plans(checklist, district, personas):
    """A draft plan in grid A (made by its grid worker) and one in grid B (made by the outsider)."""
    a = plan_with_hazards(district.premises_a, actor=personas.grid_worker)
    b = plan_with_hazards(district.premises_b, actor=personas.outsider)
    return a, b


def move(client, plan, name, version=None, **fields):
    """POST one move of the plan page as its form does (fields prefixed with the move's name)."""
    plan.refresh_from_db()
    data = {"move": name, f"{name}-version": plan.version if version is None else version}
    data.update({f"{name}-{key}": value for key, value in fields.items()})
    return client.post(reverse("rectification:plan_move", args=[plan.pk]), data)


def text(response) -> str:
    return response.content.decode()


# --- the list --------------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, plans):
    for url in (
        reverse("rectification:plan_list"),
        reverse("rectification:plan_detail", args=[plans[0].pk]),
        reverse("rectification:ladder"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("grid_worker", {"a"}),
        ("outsider", {"b"}),
        ("community_officer", {"a"}),
        ("subdistrict_officer", {"a"}),
        ("admin", {"a", "b"}),
        ("commander", {"a", "b"}),
        ("fire_officer", {"a", "b"}),
        ("liaison", {"a"}),  # the unit employs landlord A
        ("other_liaison", set()),
        # A landlord reads their plans in the portal (firegrid/portal/tests/test_no_back_office.py).
    ],
)
def test_list_shows_only_the_persona_scope(login, personas, plans, persona, expected):
    names = {plans[0].pk: "a", plans[1].pk: "b"}
    response = login(getattr(personas, persona)).get(reverse("rectification:plan_list"))
    assert_status(response, 200)
    shown = {names[p.pk] for p in response.context["object_list"]}
    assert shown == expected
    assert response.context["paginator"].count == len(expected)


def test_list_columns_filters_and_sort(login, district, personas, plans):
    a, b = plans
    client = login(personas.admin)
    response = client.get(reverse("rectification:plan_list"))
    body = text(response)
    assert str(district.premises_a) in body and "张建国" in body
    assert 'class="tag tag-draft"' in body
    row = next(values for obj, values, _pk in response.context["rows"] if obj.pk == a.pk)
    assert {c.key: v for c, v, _tag in row}["hazard_count"] == len(FAILING)

    # Area includes descendants: the subdistrict holds grid A.
    response = client.get(reverse("rectification:plan_list"), {"area": district.s1.pk})
    assert [p.pk for p in response.context["object_list"]] == [a.pk]
    response = client.get(reverse("rectification:plan_list"), {"q": "浮石路"})
    assert [p.pk for p in response.context["object_list"]] == [b.pk]
    response = client.get(reverse("rectification:plan_list"), {"officer": personas.outsider.pk})
    assert [p.pk for p in response.context["object_list"]] == [b.pk]

    s.notify_plan(a, actor=personas.grid_worker)
    response = client.get(reverse("rectification:plan_list"), {"state": PlanState.NOTIFIED})
    assert [p.pk for p in response.context["object_list"]] == [a.pk]
    assert "tag-notified tag-in_rectification" in text(response)

    Plan.objects.filter(pk=b.pk).update(deadline=TODAY() - dt.timedelta(days=2))
    response = client.get(reverse("rectification:plan_list"), {"overdue": "true"})
    assert [p.pk for p in response.context["object_list"]] == [b.pk]
    assert "逾期 2 天" in text(response)
    response = client.get(reverse("rectification:plan_list"), {"overdue": "false"})
    assert [p.pk for p in response.context["object_list"]] == [a.pk]


def test_officer_filter_offers_only_officers_of_visible_plans(login, personas, plans):
    response = login(personas.grid_worker).get(reverse("rectification:plan_list"))
    officers = set(response.context["filterset"].form.fields["officer"].queryset)
    assert officers == {personas.grid_worker}


def test_sort_by_hazard_count(login, district, personas, checklist):
    gw = personas.grid_worker
    few = plan_with_hazards(district.premises_a, actor=gw, fail=["SEP-01"])
    many = plan_with_hazards(district.shop_a, actor=gw, fail=FAILING)
    client = login(gw)
    response = client.get(reverse("rectification:plan_list"), {"sort": "-hazards"})
    assert [p.pk for p in response.context["object_list"]] == [many.pk, few.pk]
    response = client.get(reverse("rectification:plan_list"), {"sort": "hazards"})
    assert [p.pk for p in response.context["object_list"]] == [few.pk, many.pk]


def test_list_queries_do_not_grow_with_rows(login, district, personas, checklist):
    admin = personas.admin
    client = login(admin)
    plan_with_hazards(district.premises_a, actor=personas.grid_worker)
    # The first page after signing in also moves the session's expiry on (a one-off write).
    assert_status(client.get(reverse("rectification:plan_list")), 200)
    with CaptureQueriesContext(connection) as one:
        assert_status(client.get(reverse("rectification:plan_list")), 200)
    plan_with_hazards(district.shop_a, actor=personas.grid_worker)
    plan_with_hazards(district.premises_b, actor=personas.outsider)
    with CaptureQueriesContext(connection) as three:
        response = client.get(reverse("rectification:plan_list"))
    assert response.context["paginator"].count == 3
    assert len(three) == len(one)


def test_export_is_xlsx_with_the_filtered_rows_and_masked_mobiles(login, district, personas, plans):
    response = login(personas.admin).get(reverse("rectification:plan_list"), {"export": "xlsx"})
    assert_status(response, 200)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )
    assert len(rows) == 1 + 2
    header = rows[0]
    mobile = header.index("房东手机")
    assert all(re.fullmatch(r"\d{3}\*{4}\d{4}", row[mobile]) for row in rows[1:])
    assert district.landlord_a.mobile not in {row[mobile] for row in rows[1:]}

    response = login(personas.grid_worker).get(reverse("rectification:plan_list"), {"export": "xlsx"})
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )
    assert len(rows) == 1 + 1


# --- the plan page -----------------------------------------------------------------------------------------


def test_detail_scope(login, personas, plans):
    a, _b = plans
    url = reverse("rectification:plan_detail", args=[a.pk])
    for persona in ("grid_worker", "community_officer", "commander", "fire_officer", "liaison"):
        assert_status(login(getattr(personas, persona)).get(url), 200)
    # The landlord is sent to the plan's page in the portal (the notice's QR code leads there too).
    assert login(personas.landlord).get(url)["Location"] == reverse("portal:plan", args=[a.public_key])
    for persona in ("outsider", "other_liaison"):
        assert_status(login(getattr(personas, persona)).get(url), 404)
    assert_status(login(personas.outsider).get(reverse("rectification:plan_history", args=[a.pk])), 404)


def test_detail_shows_items_history_and_the_moves_of_the_role(login, personas, plans):
    a, _b = plans
    url = reverse("rectification:plan_detail", args=[a.pk])
    response = login(personas.grid_worker).get(url)
    body = text(response)
    for code in FAILING:
        assert code in body
    assert [f.name for f in response.context["move_forms"]] == [MoveName.NOTIFY]
    assert "制定方案" in body  # the history's first row
    assert reverse("rectification:plan_edit", args=[a.pk]) in body

    response = login(personas.community_officer).get(url)
    assert [f.name for f in response.context["move_forms"]] == [MoveName.NOTIFY, MoveName.CANCEL]
    response = login(personas.commander).get(url)
    assert response.context["move_forms"] == []
    assert reverse("rectification:plan_edit", args=[a.pk]) not in text(response)


def test_the_way_to_acceptance_through_the_transition_view(login, district, personas, plans):
    a, _b = plans
    gw = login(personas.grid_worker)
    response = move(gw, a, "notify")
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.state == PlanState.NOTIFIED
    assert a.documents.filter(kind="notice").exists()
    assert move(gw, a, "start", reason="房东已签字").status_code == 302
    assert move(gw, a, "request_recheck").status_code == 302
    a.refresh_from_db()
    assert a.state == PlanState.RECHECK_REQUESTED

    # No accept / fail buttons: the page starts an acceptance or recheck inspection instead.
    response = gw.get(reverse("rectification:plan_detail", args=[a.pk]))
    assert response.context["move_forms"] == []
    assert response.context["can_start_recheck"]
    body = text(response)
    assert reverse("inspections:inspection_start") in body and 'value="acceptance"' in body
    response = move(gw, a, "accept")
    assert_status(response, 400)
    assert "不能在此页面进行" in text(response)

    inspect(district.premises_a, actor=personas.grid_worker, kind=InspectionKind.ACCEPTANCE)
    a.refresh_from_db()
    assert a.state == PlanState.ACCEPTED
    response = gw.get(reverse("rectification:plan_detail", args=[a.pk]))
    assert response.context["move_forms"] == [] and response.context["edit_url"] == ""
    response = gw.get(reverse("rectification:plan_edit", args=[a.pk]))
    assert response.status_code == 302 and response["Location"] == a.get_absolute_url()


def test_overdue_extend_escalate_enforce_resume_cancel(login, district, personas, plans):
    a, _b = plans
    gw, community, fire = (
        login(p) for p in (personas.grid_worker, personas.community_officer, personas.fire_officer)
    )
    assert move(gw, a, "notify").status_code == 302
    a.refresh_from_db()
    assert s.mark_overdue(a.deadline + dt.timedelta(days=1)) == 1

    assert move(community, a, "extend", reason="房东住院", deadline=later(10).isoformat()).status_code == 302
    a.refresh_from_db()
    assert a.state == PlanState.RECTIFYING and a.deadline == later(10)
    assert s.mark_overdue(a.deadline + dt.timedelta(days=1)) == 1

    response = move(community, a, "escalate", reason="拒不整改", departments=[district.fire.pk])
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.state == PlanState.ESCALATED and list(a.escalated_to.all()) == [district.fire]

    assert move(fire, a, "enforce", reason="立案查处").status_code == 302
    assert move(fire, a, "resume", reason="罚款后限期整改", deadline=later(5).isoformat()).status_code == 302
    a.refresh_from_db()
    assert a.state == PlanState.RECTIFYING and a.deadline == later(5)

    assert move(community, a, "cancel", reason="房屋已拆除").status_code == 302
    a.refresh_from_db()
    assert a.state == PlanState.CANCELLED and a.cancel_reason == "房屋已拆除"
    names = list(a.moves.values_list("name", flat=True))
    assert names == [
        "create", "notify", "mark_overdue", "extend", "mark_overdue", "escalate", "enforce", "resume", "cancel",
    ]  # fmt: skip


def test_an_illegal_move_shows_its_message(login, personas, plans):
    a, _b = plans
    gw = login(personas.grid_worker)
    move(gw, a, "notify")
    response = move(gw, a, "request_recheck")
    assert_status(response, 400)
    body = text(response)
    assert "方案当前状态为“已送达通知”" in body and "开始整改" in body
    a.refresh_from_db()
    assert a.state == PlanState.NOTIFIED


def test_a_stale_version_is_a_clear_conflict(login, personas, plans):
    a, _b = plans
    stale = a.version
    gw = login(personas.grid_worker)
    assert move(gw, a, "notify", version=stale).status_code == 302
    response = move(login(personas.community_officer), a, "cancel", version=stale, reason="重复登记")
    assert_status(response, 409)
    body = text(response)
    assert "此记录已被 wanggy" in body and "您的修改未保存" in body and "已送达通知" in body
    assert "重复登记" in body  # the typed reason is kept
    a.refresh_from_db()
    assert a.state == PlanState.NOTIFIED
    # The form shown again carries the current version: sending it again applies to what is there now.
    form = response.context["move_forms"][-1]
    assert form.name == "cancel" and int(form["version"].value()) == a.version


def test_a_role_without_the_move_gets_403(login, personas, plans):
    a, _b = plans
    assert_status(move(login(personas.grid_worker), a, "cancel", reason="已拆除"), 403)
    assert_status(move(login(personas.commander), a, "notify"), 403)
    assert_status(move(login(personas.liaison), a, "notify"), 403)
    assert_status(move(login(personas.outsider), a, "notify"), 404)
    a.refresh_from_db()
    assert a.state == PlanState.DRAFT


def test_move_field_errors_keep_the_typed_values(login, personas, plans):
    a, _b = plans
    community = login(personas.community_officer)
    response = move(community, a, "cancel", reason="")
    assert_status(response, 400)
    assert response.context["move_forms"][-1].errors["reason"]
    url = reverse("rectification:plan_move", args=[a.pk])
    response = community.post(url, {"move": "cancel", "cancel-reason": "已拆除"})  # no version
    assert_status(response, 400)
    assert response.context["page_errors"]
    move(login(personas.grid_worker), a, "notify")
    a.refresh_from_db()
    s.mark_overdue(a.deadline + dt.timedelta(days=1))
    yesterday = (TODAY() - dt.timedelta(days=1)).isoformat()
    response = move(community, a, "extend", reason="房东外出务工", deadline=yesterday)
    assert_status(response, 400)
    form = next(f for f in response.context["move_forms"] if f.name == "extend")
    assert "早于通知日期" in form.errors["deadline"][0]
    assert "房东外出务工" in text(response)


# --- making a plan from a premises page -------------------------------------------------------------------


def test_premises_page_offers_the_plan_button_when_due(login, district, personas, checklist):
    url = reverse("registry:premises_detail", args=[district.premises_a.pk])
    create = reverse("rectification:plan_create", args=[district.premises_a.pk])
    assert create not in text(login(personas.grid_worker).get(url))  # no hazards yet
    inspect(district.premises_a, actor=personas.grid_worker, fail=FAILING)
    assert create in text(login(personas.grid_worker).get(url))
    assert create not in text(login(personas.commander).get(url))  # may not make plans
    plan = s.create_plan(district.premises_a, actor=personas.grid_worker)
    body = text(login(personas.grid_worker).get(url))
    assert create not in body and reverse("rectification:plan_detail", args=[plan.pk]) in body


def test_create_form_prefills_and_saves_what_was_typed(login, district, personas, checklist):
    inspect(district.premises_a, actor=personas.grid_worker, fail=FAILING)
    client = login(personas.grid_worker)
    url = reverse("rectification:plan_create", args=[district.premises_a.pk])
    response = client.get(url)
    assert_status(response, 200)
    form = response.context["form"]
    rows = {r["hazard"].item.code: r for r in form.item_rows()}
    assert set(rows) == set(FAILING)
    assert len(form.fields["hazards"].initial) == len(FAILING)
    assert rows["SEP-01"]["measure"].value() == rows["SEP-01"]["hazard"].item.measure
    sep, exit_ = rows["SEP-01"]["hazard"], rows["EXIT-03"]["hazard"]
    data = {
        "hazards": [sep.pk],  # EXIT-03 left out of this plan
        "deadline": later(20).isoformat(),
        "officer": personas.grid_worker.pk,
        "note": "先处理隔断",
        f"hazard-{sep.pk}-measure": "拆除可燃隔断，改用不燃材料",
        f"hazard-{sep.pk}-acceptance": "隔断为不燃材料",
        f"hazard-{sep.pk}-deadline": later(10).isoformat(),
        f"hazard-{exit_.pk}-measure": "",
        f"hazard-{exit_.pk}-deadline": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    plan = Plan.objects.get()
    assert plan.deadline == later(20) and plan.note == "先处理隔断" and plan.state == PlanState.DRAFT
    item = plan.items.get()
    assert item.hazard == sep and item.measure == "拆除可燃隔断，改用不燃材料" and item.deadline == later(10)


def test_create_form_with_a_bad_deadline_keeps_the_typed_values(login, district, personas, checklist):
    inspect(district.premises_a, actor=personas.grid_worker, fail=FAILING)
    client = login(personas.grid_worker)
    url = reverse("rectification:plan_create", args=[district.premises_a.pk])
    hazards = {r["hazard"].item.code: r["hazard"] for r in client.get(url).context["form"].item_rows()}
    sep, exit_ = hazards["SEP-01"], hazards["EXIT-03"]
    data = {
        "hazards": [sep.pk, exit_.pk],
        "deadline": (TODAY() - dt.timedelta(days=1)).isoformat(),
        "officer": personas.grid_worker.pk,
        "note": "房东在外地",
        f"hazard-{sep.pk}-measure": "自拟措施甲",
        f"hazard-{sep.pk}-deadline": later(3).isoformat(),
        f"hazard-{exit_.pk}-measure": "自拟措施乙",
        f"hazard-{exit_.pk}-deadline": later(3).isoformat(),
    }
    response = client.post(url, data)
    assert_status(response, 200)
    assert "早于通知日期" in response.context["form"].errors["deadline"][0]
    body = text(response)
    assert "房东在外地" in body and "自拟措施甲" in body and "自拟措施乙" in body
    assert not Plan.objects.exists()

    # An item's deadline after the plan's: the error is on that hazard's deadline, nothing saved.
    data["deadline"] = later(5).isoformat()
    data[f"hazard-{exit_.pk}-deadline"] = later(9).isoformat()
    response = client.post(url, data)
    assert_status(response, 200)
    assert "不能晚于方案整改期限" in response.context["form"].errors[f"hazard-{exit_.pk}-deadline"][0]
    assert not Plan.objects.exists()

    data["hazards"] = []
    response = client.post(url, data)
    assert response.context["form"].errors["hazards"] == ["请至少选择一项隐患。"]


def test_create_scope(login, district, personas, checklist):
    inspect(district.premises_a, actor=personas.grid_worker, fail=FAILING)
    url = reverse("rectification:plan_create", args=[district.premises_a.pk])
    assert_status(login(personas.outsider).get(url), 404)
    assert_status(login(personas.commander).get(url), 403)
    assert_status(login(personas.commander).post(url, {}), 403)
    assert not Plan.objects.exists()


# --- editing ----------------------------------------------------------------------------------------------


def test_edit_saves_items_and_shows_a_conflict(login, personas, plans):
    a, _b = plans
    client = login(personas.grid_worker)
    url = reverse("rectification:plan_edit", args=[a.pk])
    form = client.get(url).context["form"]
    item = a.items.order_by("pk").first()
    data = {name: field.value() for name, field in ((n, form[n]) for n in form.fields)}
    data.update(
        {
            "version": a.version,
            "deadline": later(90).isoformat(),
            "officer": personas.grid_worker.pk,
            f"item-{item.pk}-measure": "更换为不燃材料隔断",
        }
    )
    data = {
        k: ("" if v is None else v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()
    }
    assert_status(client.post(url, data), 302)
    item.refresh_from_db()
    a.refresh_from_db()
    assert item.measure == "更换为不燃材料隔断" and a.deadline == later(90)

    stale = dict(data, version=a.version - 1, note="我的备注")
    response = client.post(url, stale)
    assert_status(response, 200)
    body = text(response)
    assert "他人已修改此记录" in body and "我的备注" in body
    assert f'name="version" value="{a.version}"' in body
    a.refresh_from_db()
    assert a.note == ""


def test_edit_scope(login, personas, plans):
    a, _b = plans
    url = reverse("rectification:plan_edit", args=[a.pk])
    assert_status(login(personas.outsider).get(url), 404)
    assert_status(login(personas.commander).get(url), 403)
    assert_status(login(personas.landlord).post(url, {}), PORTAL)


# --- documents --------------------------------------------------------------------------------------------


def test_document_pdf_for_users_in_scope_only(login, personas, plans):
    pytest.importorskip("firegrid.core.pdf")
    a, _b = plans
    s.notify_plan(a, actor=personas.grid_worker)
    notice = a.documents.get()
    url = reverse("rectification:document_pdf", args=[notice.pk])
    assert url.endswith(f"/rectification/documents/{notice.pk}/pdf")
    response = login(personas.grid_worker).get(url)
    assert_status(response, 200)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response.content.startswith(b"%PDF")
    assert_status(login(personas.outsider).get(url), 404)
    assert_status(login(personas.other_liaison).get(url), 404)


def test_reissue_with_a_reason(login, personas, plans):
    a, _b = plans
    s.notify_plan(a, actor=personas.grid_worker)
    notice = a.documents.get()
    client = login(personas.grid_worker)
    url = reverse("rectification:document_reissue", args=[notice.pk])
    response = client.post(url, {f"doc{notice.pk}-reason": ""})
    assert_status(response, 400)
    assert Document.objects.count() == 1
    assert client.post(url, {f"doc{notice.pk}-reason": "门牌号更正"}).status_code == 302
    notice.refresh_from_db()
    assert notice.status == DocumentStatus.SUPERSEDED and Document.objects.count() == 2
    assert_status(login(personas.outsider).post(url, {f"doc{notice.pk}-reason": "x"}), 404)
    assert_status(login(personas.commander).post(url, {f"doc{notice.pk}-reason": "x"}), 403)


# --- enforcement ------------------------------------------------------------------------------------------


def _escalated(plan, personas):
    s.notify_plan(plan, actor=personas.grid_worker)
    plan.refresh_from_db()
    s.mark_overdue(plan.deadline + dt.timedelta(days=1))
    return s.escalate_plan(plan, actor=personas.community_officer, reason="拒不整改")


def test_enforcement_with_attachments_moves_an_escalated_plan(login, district, personas, plans):
    a, _b = plans
    _escalated(a, personas)
    fire = login(personas.fire_officer)
    page = fire.get(reverse("rectification:plan_detail", args=[a.pk]))
    url = reverse("rectification:plan_enforcement_add", args=[a.pk])
    assert url in text(page)
    base = {
        "kind": "sealing",
        "date": TODAY().isoformat(),
        "legal_basis": "消防法第七十条",
        "period_days": 45,
    }
    response = fire.post(url, base)
    assert_status(response, 200)
    assert response.context["form"].errors["period_days"]
    assert 'value="消防法第七十条"' in text(response)
    upload = SimpleUploadedFile("决定书.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = fire.post(
        url, {**base, "kind": "fine", "fine_amount": "500", "period_days": "", "attachments": upload}
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.state == PlanState.ENFORCEMENT
    action = EnforcementAction.objects.get()
    assert action.department == district.fire and action.plan == a
    attachment = action.attachments.get()
    file_url = reverse("rectification:enforcement_attachment", args=[attachment.pk])
    assert file_url in text(fire.get(reverse("rectification:plan_detail", args=[a.pk])))
    response = login(personas.grid_worker).get(file_url)
    assert_status(response, 200)
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    assert_status(login(personas.outsider).get(file_url), 404)
    assert_status(login(personas.grid_worker).get(url), 403)  # grid workers read enforcement only


def test_enforcement_on_a_premises_without_a_plan(login, district, personas):
    url = reverse("rectification:premises_enforcement_add", args=[district.premises_b.pk])
    page = login(personas.fire_officer).get(
        reverse("registry:premises_detail", args=[district.premises_b.pk])
    )
    assert url in text(page)
    response = login(personas.fire_officer).post(url, {"kind": "no_entry", "date": TODAY().isoformat()})
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:premises_detail", args=[district.premises_b.pk])
    action = EnforcementAction.objects.get()
    assert action.plan is None and action.premises == district.premises_b
    assert_status(login(personas.grid_worker).get(url), 404)


def test_menu_links_the_plan_list(login, personas):
    body = text(login(personas.grid_worker).get(reverse("pages:home")))
    assert reverse("rectification:plan_list") in body
