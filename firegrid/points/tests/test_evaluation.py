"""The year-end evaluation: landlords ranked by the year's points per award, nominated at or above the
minimum within the share (ties at the last place all in), confirmed by the commander — frozen, with a
certificate per nominee whose PDF is the same file on every reprint."""

from __future__ import annotations

import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from pypdf import PdfReader

from firegrid import testing as t
from firegrid.core.services import ConcurrentEditError
from firegrid.points import evaluation, services
from firegrid.points.choices import AwardKind, EvaluationStatus
from firegrid.points.models import Nomination, YearEndEvaluation
from firegrid.registry.choices import PremisesKind, PremisesStatus

from .scene import YEAR, give

pytestmark = pytest.mark.django_db

FAMILY, SHOP = AwardKind.CIVILISED_FAMILY, AwardKind.CIVILISED_SHOP


def thresholds(admin, **nominations) -> None:
    """Publish a rule set with these nomination parameters (min points, share)."""
    draft = services.create_rule_set_draft(services.default_rule_set(), code="points-test", actor=admin)
    services.update_rule_set_parameters(draft, {"nominations": nominations}, actor=admin)
    services.publish_rule_set(draft, actor=admin)


def landlord_with(district, kind: str, name: str, points: int, **premises_kw):
    landlord = t.make_landlord(name, area=district.grid_a)
    t.make_premises(t.make_building(district.grid_a), landlord, kind=kind, **premises_kw)
    if points != 100:
        give(landlord, points - 100)
    return landlord


@pytest.fixture
def field(district, personas):
    """Six residential landlords (a: 120, r1: 120, r2: 110, r3: 108, r4: 104, b: 100) and two shop landlords
    (a: 120, s1: 100); 文明家庭 and 文明商户 at 105 points and 50 %."""
    d = district
    thresholds(
        personas.admin,
        family_min_points=105,
        family_max_share_percent=50,
        shop_min_points=105,
        shop_max_share_percent=50,
    )
    give(d.landlord_a, 20)
    d.r1 = landlord_with(d, PremisesKind.RESIDENTIAL, "钱一", 120)
    d.r2 = landlord_with(d, PremisesKind.RESIDENTIAL, "孙二", 110)
    d.r3 = landlord_with(d, PremisesKind.RESIDENTIAL, "周三", 108)
    d.r4 = landlord_with(d, PremisesKind.RESIDENTIAL, "吴四", 104)
    d.s1 = landlord_with(d, PremisesKind.SHOP, "郑五", 100)
    # Not ranked: a landlord whose only premises is demolished.
    landlord_with(d, PremisesKind.RESIDENTIAL, "王六", 130, status=PremisesStatus.DEMOLISHED)
    return d


def rows_of(ev: YearEndEvaluation, award: str) -> list[tuple[str, int, int, bool]]:
    return [(r["name"], r["points"], r["rank"], r["nominated"]) for r in ev.rows if r["award"] == award]


def test_landlords_are_ranked_per_award_and_nominated_within_the_threshold_and_share(field, personas):
    ev = evaluation.evaluate(YEAR, actor=personas.commander)
    assert ev.status == EvaluationStatus.DRAFT and ev.rule_set.code == "points-test"
    assert rows_of(ev, FAMILY) == [
        ("张建国", 120, 1, True),
        ("钱一", 120, 1, True),
        ("孙二", 110, 3, True),
        ("周三", 108, 4, False),
    ]
    assert ev.summary[FAMILY] == {
        "landlords": 6,
        "min_points": 105,
        "share_percent": 50,
        "cap": 3,
        "qualified": 4,
        "nominated": 3,
    }
    assert rows_of(ev, SHOP) == [("张建国", 120, 1, True)]
    assert ev.summary[SHOP]["landlords"] == 2 and ev.summary[SHOP]["cap"] == 1
    assert not Nomination.objects.exists()  # only a confirmation issues nominations


def test_landlords_tied_at_the_last_place_are_all_nominated(field, personas):
    give(field.r3, 2)  # 周三 now ties 孙二 at 110: both third
    ev = evaluation.evaluate(YEAR, actor=personas.commander)
    assert [r[2:] for r in rows_of(ev, FAMILY)] == [(1, True), (1, True), (3, True), (3, True)]
    assert ev.summary[FAMILY]["nominated"] == 4


def test_computing_again_follows_new_entries_until_confirmed(field, personas):
    first = evaluation.evaluate(YEAR, actor=personas.commander)
    give(field.r4, 20)  # 吴四 to 124: first place
    again = evaluation.evaluate(YEAR, actor=personas.admin)
    assert again.pk == first.pk and again.version == first.version + 1
    assert rows_of(again, FAMILY)[0] == ("吴四", 124, 1, True)


def test_confirmation_freezes_the_rows_and_issues_a_certificate_per_nominee(field, personas):
    ev = evaluation.evaluate(YEAR, actor=personas.commander)
    confirmed = evaluation.confirm_evaluation(ev, actor=personas.commander, expected_version=ev.version)
    assert confirmed.status == EvaluationStatus.CONFIRMED and confirmed.confirmed_by == personas.commander
    nominations = list(Nomination.objects.order_by("serial"))
    assert [(n.landlord.name, n.award, n.rank, n.points) for n in nominations] == [
        ("张建国", FAMILY, 1, 120),
        ("钱一", FAMILY, 1, 120),
        ("孙二", FAMILY, 3, 110),
        ("张建国", SHOP, 1, 120),
    ]
    assert nominations[0].serial == f"衢江文明〔{YEAR}〕第0001号"
    content = nominations[2].content
    assert (content["kind"], content["award"], content["year"], content["points"]) == (
        "certificate",
        "文明家庭",
        YEAR,
        110,
    )
    assert content["addressee"]["name"] == "孙二" and len(content["places"]) == 1
    # Frozen: later entries and a new computation change nothing.
    give(field.r4, 50)
    with pytest.raises(ValidationError, match="已确认"):
        evaluation.evaluate(YEAR, actor=personas.commander)
    with pytest.raises(ValidationError, match="已确认"):
        evaluation.confirm_evaluation(confirmed, actor=personas.commander)
    assert YearEndEvaluation.objects.get().rows == confirmed.rows
    assert Nomination.objects.count() == 4


def test_only_the_commander_or_admin_computes_and_confirms_the_version_they_read(field, personas):
    for refused in (personas.grid_worker, personas.subdistrict_officer, personas.fire_officer):
        with pytest.raises(PermissionDenied):
            evaluation.evaluate(YEAR, actor=refused)
    ev = evaluation.evaluate(YEAR, actor=personas.commander)
    with pytest.raises(PermissionDenied):
        evaluation.confirm_evaluation(ev, actor=personas.subdistrict_officer)
    evaluation.evaluate(YEAR, actor=personas.commander)  # computed again meanwhile
    with pytest.raises(ConcurrentEditError):
        evaluation.confirm_evaluation(ev, actor=personas.commander, expected_version=ev.version)
    with pytest.raises(ValidationError):
        evaluation.evaluate(YEAR + 1, actor=personas.commander)
    assert not Nomination.objects.exists()


def fonts(data: bytes) -> list[str]:
    found = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            base = descendants[0].get_object() if descendants else font
            found.append(str(base["/BaseFont"]))
    return found


def test_the_certificate_is_a_printable_pdf_the_same_on_every_reprint(field, personas):
    ev = evaluation.evaluate(YEAR, actor=personas.commander)
    evaluation.confirm_evaluation(ev, actor=personas.commander)
    nomination = Nomination.objects.get(landlord=field.r2)
    with translation.override("en"):
        data = evaluation.certificate_pdf(nomination)
    assert data.startswith(b"%PDF-")
    page = PdfReader(io.BytesIO(data)).pages
    assert len(page) == 1
    width, height = float(page[0].mediabox.width), float(page[0].mediabox.height)
    assert abs(width - 841.89) <= 1 and abs(height - 595.28) <= 1  # A4 landscape
    assert any(re.fullmatch(r"/[A-Z]{6}\+Noto-Serif-CJK-SC(-Bold)?", name) for name in fonts(data))
    text = re.sub(r"\s+", "", t.pdf_text(data))
    for words in ("荣誉证书", "孙二", f"{YEAR}年度", "文明家庭", "110分", nomination.serial, "特发此证"):
        assert words in text, words
    nomination.refresh_from_db()
    assert nomination.pdf and len(nomination.sha256) == 64
    assert evaluation.certificate_pdf(Nomination.objects.get(pk=nomination.pk)) == data


def test_a_certificate_missing_a_key_is_refused_naming_it(field, personas):
    from firegrid.core import pdf

    ev = evaluation.evaluate(YEAR, actor=personas.commander)
    evaluation.confirm_evaluation(ev, actor=personas.commander)
    content = dict(Nomination.objects.first().content)
    pdf.validate_content(content)
    del content["award"]
    with pytest.raises(ValueError, match=re.escape("content['award']: 缺少此项")):
        pdf.validate_content(content)
    with pytest.raises(ValueError, match=re.escape("content['addressee']['name']: 不能为空")):
        pdf.validate_content(
            {
                **Nomination.objects.first().content,
                "addressee": {"name": "", "address": "", "masked_mobile": ""},
            }
        )
