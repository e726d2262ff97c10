"""The English interface: pages and error messages come out in English after the language switch, and
the committed catalogues (firegrid/locale) are complete and compiled.

The msgids are the Chinese strings themselves, so a string that was never translated shows up as Chinese
on an English page: the page tests look for Chinese outside the data the fixtures put there.
"""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from firegrid.areas.models import Area, Department, Unit
from firegrid.conftest import assert_status
from firegrid.registry.models import Building, Landlord, Premises, Room, TenantHousehold

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
EN_PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
CATALOGUES = [EN_PO, LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"]

# Chinese, full-width punctuation included.
CJK_RUN = re.compile(r"[\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]+")
# Interface words that must not appear on an English page (none of them occurs in the fixture data).
CHINESE_UI_WORDS = "搜索 重置 导出 出租户 房东 租户 首页 退出 登录 修改记录 消防网格".split()
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%[sdr]|\{\w+\}")


# --- a tiny .po reader -------------------------------------------------------------------------------


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr or msgstr[N], and flags.
    The header (msgid "") is the first entry; obsolete (#~) entries are left out."""
    entries: list[dict] = []
    entry: dict = {}
    key = None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if not line:
            if "msgid" in entry:
                entries.append(entry)
            entry, key = {}, None
            continue
        entry.setdefault("flags", set())
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    return entries


def translations(entry: dict) -> list[str]:
    if "msgid_plural" in entry:
        return [v for k, v in sorted(entry.items()) if k.startswith("msgstr[")]
    return [entry["msgstr"]]


# --- pages under English -----------------------------------------------------------------------------


def switch_to_english(client) -> None:
    assert_status(client.post(reverse("set_language"), {"language": "en", "next": "/"}), 302)


def fixture_data() -> list[str]:
    """Every Chinese text the fixtures stored: it stays Chinese on an English page."""
    texts = ["简体中文"]  # the language switch names the other language in that language
    for model, fields in [
        (Area, ["name"]),
        (Department, ["name"]),
        (Unit, ["name"]),
        (Building, ["address", "name"]),
        (Premises, ["unit_label", "business_name"]),
        (Room, ["number"]),
        (Landlord, ["name", "address"]),
        (TenantHousehold, ["head_name"]),
    ]:
        for obj in model.objects.all():
            texts.append(str(obj))
            texts.extend(str(getattr(obj, f)) for f in fields)
    return texts


def assert_english(page: str) -> None:
    page = re.sub(r"<script.*?</script>", "", page, flags=re.S)
    for word in CHINESE_UI_WORDS:
        assert word not in page, f"Chinese interface word {word!r} on an English page"
    data = fixture_data()
    untranslated = {run for run in CJK_RUN.findall(page) if not any(run in text for text in data)}
    assert not untranslated, f"Chinese that is not data on an English page: {sorted(untranslated)}"


def test_home_page_in_english(login, district, personas):
    client = login(personas.admin)
    switch_to_english(client)
    page = client.get(reverse("pages:home")).content.decode()
    assert '<html lang="en">' in page
    for text in [
        "Home",
        "Premises",
        "Landlords",
        "Tenant households",
        "Buildings",
        "Operation log",
        "Sign out",
    ]:
        assert text in page
    assert_english(page)


def test_premises_list_in_english(login, district, personas):
    client = login(personas.admin)
    switch_to_english(client)
    page = client.get(reverse("registry:premises_list")).content.decode()
    for text in [
        "<h1>Premises</h1>",
        "Search",
        "Reset",
        "Export",
        "Columns",
        "Address",
        "Landlord",
        "3 records",
    ]:
        assert text in page
    assert "樟潭街道樟树潭村12号" in page  # data stays as it was entered
    assert_english(page)


def test_premises_detail_in_english(login, district, personas):
    client = login(personas.admin)
    switch_to_english(client)
    page = client.get(reverse("registry:premises_detail", args=[district.premises_a.pk])).content.decode()
    for text in ["Edit", "Change history", "Landlord", "Rooms (1)", "Tenant households (1)", "1 person"]:
        assert text in page
    assert_english(page)


def test_landlord_edit_form_in_english(login, district, personas):
    client = login(personas.grid_worker)
    switch_to_english(client)
    page = client.get(reverse("registry:landlord_edit", args=[district.landlord_a.pk])).content.decode()
    for text in ["Edit Landlord", "Resident ID number", "Leave empty to keep the registered value", "Save"]:
        assert text in page
    assert_english(page)


def test_login_page_in_english(client, district):
    switch_to_english(client)
    page = client.get(reverse("login")).content.decode()
    for text in ["Sign in", "Username", "Password", "Firegrid"]:
        assert text in page
    assert_english(page)


def test_chinese_stays_the_default(login, district, personas):
    page = login(personas.admin).get(reverse("registry:premises_list")).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "搜索" in page and "出租户" in page and "Search" not in page


# --- error messages ----------------------------------------------------------------------------------


def _landlord_form_with_bad_id(client, landlord) -> list[str]:
    url = reverse("registry:landlord_edit", args=[landlord.pk])
    form = client.get(url).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        value = value.pk if hasattr(value, "pk") else value
        if value is not None and value is not False:
            data[name] = value
    data["id_number"] = "330803198001010010"  # wrong check digit
    response = client.post(url, data)
    assert_status(response, 200)
    return response.context["form"].errors["id_number"]


def test_validation_error_in_english(login, district, personas):
    client = login(personas.grid_worker)
    switch_to_english(client)
    errors = _landlord_form_with_bad_id(client, district.landlord_a)
    assert errors == ["The resident ID check digit is wrong; check the number and enter it again."]


def test_validation_error_in_chinese_by_default(login, district, personas):
    errors = _landlord_form_with_bad_id(login(personas.grid_worker), district.landlord_a)
    assert errors == ["身份证号码校验位不正确，请核对后重新输入。"]


def test_djangos_missing_chinese_message_comes_from_our_catalogue(district):
    """Django's zh_Hans lacks the message for a foreign key outside limit_choices_to; ours supplies it."""
    from django.core.exceptions import ValidationError

    landlord = district.landlord_b
    landlord.area = district.c1  # a community, not a grid
    with pytest.raises(ValidationError) as info:
        landlord.full_clean()
    message = info.value.message_dict["area"][0]
    assert message == f"所选的区域（id={district.c1.pk}）不是有效选项。"


# --- the catalogues ----------------------------------------------------------------------------------


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parent.parent.name)
def test_catalogue_is_complete(po):
    entries = read_po(po)
    assert entries and entries[0]["msgid"] == "", "the header entry is missing"
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    untranslated = [e["msgid"] for e in entries[1:] if not all(translations(e))]
    assert fuzzy == [], f"fuzzy entries in {po}"
    assert untranslated == [], f"untranslated entries in {po}"
    if po == EN_PO:
        assert len(entries) > 250


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parent.parent.name)
def test_translations_keep_their_placeholders(po):
    wrong = []
    for entry in read_po(po)[1:]:
        expected = sorted(PLACEHOLDER.findall(entry["msgid"]))
        for text in translations(entry):
            if sorted(PLACEHOLDER.findall(text)) != expected:
                wrong.append((entry["msgid"], text))
    assert wrong == []


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parent.parent.name)
def test_compiled_catalogue_matches_the_po(po):
    """The .mo is committed: every entry of the .po must be in it with the same translation, so a .po
    edited without running compilemessages is caught."""
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run compilemessages from inside firegrid/"
    with mo.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    stale = []
    for entry in read_po(po)[1:]:
        context, msgid = entry.get("msgctxt"), entry["msgid"]
        if "msgid_plural" in entry:
            forms = translations(entry)
            counts = [1, 2] if len(forms) == 2 else [1]
            if context is None:
                got = [catalogue.ngettext(msgid, entry["msgid_plural"], n) for n in counts]
            else:
                got = [catalogue.npgettext(context, msgid, entry["msgid_plural"], n) for n in counts]
            if got != forms:
                stale.append(msgid)
        else:
            got = catalogue.gettext(msgid) if context is None else catalogue.pgettext(context, msgid)
            if got != entry["msgstr"]:
                stale.append(msgid)
    assert stale == [], f"{mo} is older than {po}: run compilemessages from inside firegrid/"
