"""Printed documents: every kind renders from its content dict, carries its facts in the text, embeds a
subset Chinese font, is A4, reprints byte for byte, paginates long tables and warns when the machine
lacks what Chinese PDFs need."""

from __future__ import annotations

import copy
import datetime as dt
import io
import itertools
import os
import re
import subprocess
import sys
from collections import Counter
from urllib.parse import unquote

import pytest
from django.utils import translation
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ContentStream

from firegrid.core import pdf
from firegrid.core.checks import pdf_fonts_check
from firegrid.testing import pdf_text

LANDLORD_URL = "https://firegrid.example.cn/l/plans/8c1f0a2e/"
# Checklist items as a real notice would list them (codes and titles of the zj-2019.1 template).
ITEMS = [
    ("EBIKE-01", "电动自行车不得在楼梯间停放充电", "一楼楼梯间停放电动自行车 3 辆，并拉线充电。"),
    ("ELEC-02", "电气线路穿管保护", "2 楼走廊电线明敷，未穿阻燃管。"),
    ("EXIT-01", "疏散通道畅通", "楼梯间堆放纸箱等可燃杂物。"),
    ("EQUIP-01", "每层配置灭火器", "3 楼、4 楼未配置灭火器。"),
    ("EQUIP-03", "安装独立式感烟报警器", "出租房间内未安装独立式感烟火灾探测报警器。"),
]


def hazards(count: int = 5, *, issued_on: str = "2019-10-08") -> list[dict]:
    """``count`` hazards; beyond the five real items each row is numbered so every title, measure and
    standard is unique (a page can then be checked for one row's pieces)."""
    rows = []
    for i in range(count):
        code, title, found = ITEMS[i % len(ITEMS)]
        mark = f"（第{i + 1}项）" if count > len(ITEMS) else ""
        rows.append(
            {
                "code": code,
                "title": f"{title}{mark}",
                "description": found,
                "measure": f"清理楼梯间内的电动自行车和可燃杂物，改在集中充电场所停放充电{mark}。",
                "acceptance": f"楼梯间无电动自行车停放、无飞线充电，疏散通道净宽不小于 1.1 米{mark}。",
                # The first hazard is to be fixed at once (printed 立即整改), the others within 14 days.
                "deadline": issued_on if i == 0 else "2019-10-22",
            }
        )
    return rows


def content(kind: str = "notice", *, hazard_count: int = 5) -> dict:
    """A complete content dict of that kind, as the rectification app freezes it."""
    doc = {
        "kind": kind,
        "title": pdf.DOCUMENT_TITLES[kind],
        "serial": pdf.document_serial("衢江消整", 2019, 1),
        "issuer": {
            "name": "衢州市衢江区消防安全专项整治指挥部",
            "department": "衢江区消防救援大队",
            "phone": "0570-3012119",
        },
        "issued_on": "2019-10-08",
        "addressee": {"name": "张建国", "address": "樟潭街道樟树潭村5号", "masked_mobile": "138****5678"},
        "premises": {"address": "衢江区樟潭街道樟树潭村12号整幢", "kind": "出租房屋"},
        "hazards": hazards(hazard_count),
        "plan_deadline": "2019-10-22",
        "legal_basis": ["《中华人民共和国消防法》第十六条、第十八条", "《浙江省消防条例》第二十条"],
        "landlord_url": LANDLORD_URL,
        "inspectors": [{"name": "王伟", "badge": "33080319001"}, {"name": "李强", "badge": ""}],
    }
    if kind in ("notice", "order"):
        doc["inspected_on"] = "2019-09-30"
    if kind == "pledge":
        doc["serial"] = pdf.document_serial("衢江消诺", 2019, 1)
        doc["notice_serial"] = pdf.document_serial("衢江消整", 2019, 1)
        doc["signature"] = None
    if kind == "acceptance":
        doc["serial"] = pdf.document_serial("衢江消验", 2019, 1)
        doc["notice_serial"] = pdf.document_serial("衢江消整", 2019, 1)
        for hazard in doc["hazards"]:
            hazard.update(passed=True, note="已整改到位")
        doc["result"] = {"accepted_on": "2019-10-21", "passed": True, "remarks": "整改资料已存档。"}
    if kind == "dossier":
        doc["serial"] = "衢江档〔2019〕第0001号"
        doc["facts"] = [
            ["所属网格", "樟潭街道 › 樟树潭社区 › 樟树潭一网格"],
            ["建筑层数", "4 层"],
            ["房间数", "6 间"],
            ["在租户数", "5 户"],
            ["风险等级", "黄"],
        ]
        doc["entries"] = [
            {
                "at": "2019-09-30T09:15:00+08:00",
                "kind": "检查",
                "title": "摸底排查：发现隐患 5 项",
                "text": "检查人员王伟、李强到场检查。\n房东在场。",
                "actor": "王伟",
                "thumbnails": [thumbnail("#c0392b"), thumbnail("#2980b9")],
            },
            {
                "at": "2019-10-08",
                "kind": "文书",
                "title": "送达隐患整改通知书 衢江消整〔2019〕第0001号",
                "text": "",
                "actor": "",
                "thumbnails": [],
            },
        ]
    return doc


def thumbnail(color: str) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (160, 120), color).save(buffer, "JPEG", quality=80)
    return pdf.image_data_uri(buffer.getvalue())


def flat_text(data: bytes) -> str:
    """The PDF's text without whitespace: table cells and paragraphs wrap wherever the layout puts
    the line ends, so expected phrases are compared without them."""
    return re.sub(r"\s+", "", pdf_text(data))


def flat_pages(data: bytes) -> list[str]:
    return [re.sub(r"\s+", "", page) for page in pdf_text(data).split("\f")]


def reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def embedded_fonts(data: bytes) -> list[tuple[str, int]]:
    """(BaseFont, embedded font program size) of every font on every page."""
    found = []
    for page in reader(data).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                programs = [
                    descriptor[key] for key in ("/FontFile", "/FontFile2", "/FontFile3") if key in descriptor
                ]
                size = len(programs[0].get_object().get_data()) if programs else 0
                found.append((str(font["/BaseFont"]), size))
    return found


# ---------------------------------------------------------------------------------------------
# Each document renders with its facts
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["notice", "order", "pledge", "acceptance", "dossier"])
def test_each_document_renders_with_title_serial_deadline_and_hazards(kind):
    doc = content(kind)
    data = pdf.render_document(doc)

    assert data.startswith(b"%PDF-")
    text = flat_text(data)
    assert doc["title"] in text
    assert doc["serial"] in text
    assert "2019年10月22日" in text  # the plan's deadline, in the official date form
    for hazard in doc["hazards"]:
        assert hazard["title"] in text
    assert "第1页共" in text


def test_notice_prints_issuer_addressee_basis_inspectors_and_issue_date():
    text = flat_text(pdf.render_document(content("notice")))

    for expected in [
        "衢州市衢江区消防安全专项整治指挥部",
        "张建国：",
        "衢江区樟潭街道樟树潭村12号整幢",
        "《中华人民共和国消防法》第十六条、第十八条、《浙江省消防条例》第二十条",
        "王伟（执法证号33080319001）、李强",
        "2019年10月8日",  # issue date under the issuing body
        "经2019年9月30日检查",
        "立即整改",  # a hazard due on the issue date
        "检查人员（签名）",
        "签收",
        "盖章",
        "138****5678",
    ]:
        assert expected in text, expected
    assert "责令" not in text


def test_order_is_the_notice_with_stronger_wording():
    text = flat_text(pdf.render_document(content("order")))

    assert "责令限期改正通知书" in text
    assert "现责令你（单位）" in text
    assert "行政复议" in text
    assert "隐患整改通知书" not in text


def test_unsigned_pledge_has_blank_lines_and_signed_pledge_prints_name_time_and_ip():
    unsigned = flat_text(pdf.render_document(content("pledge")))
    assert "承诺人（签名并按手印）" in unsigned
    assert "签署IP" not in unsigned

    doc = content("pledge")
    doc["signature"] = {"name": "张建国", "signed_at": "2019-10-09T06:32:05+00:00", "ip": "60.190.12.34"}
    signed = flat_text(pdf.render_document(doc))
    assert "承诺人（电子签名）：张建国" in signed
    assert "2019年10月9日14:32" in signed  # shown in Asia/Shanghai
    assert "60.190.12.34" in signed
    assert "《隐患整改通知书》（衢江消整〔2019〕第0001号）" in signed


def test_acceptance_prints_each_result_and_the_conclusion():
    doc = content("acceptance")
    doc["hazards"][1].update(passed=False, note="电线仍未穿管")
    doc["result"]["passed"] = False
    text = flat_text(pdf.render_document(doc))

    assert "验收结果" in text
    assert "电线仍未穿管" in text
    assert text.count("不合格") == 2  # the failed hazard and the conclusion
    assert "验收不合格" in text
    assert "2019年10月21日" in text


def test_dossier_prints_facts_timeline_and_thumbnails():
    doc = content("dossier")
    data = pdf.render_document(doc)
    text = flat_text(data)

    assert "樟潭街道›樟树潭社区›樟树潭一网格" in text
    assert "摸底排查：发现隐患5项" in text
    assert "2019年9月30日09:15" in text
    assert "经办：王伟" in text
    images = [
        name
        for page in reader(data).pages
        for name, xobject in page["/Resources"].get("/XObject", {}).items()
        if xobject.get_object()["/Subtype"] == "/Image"
    ]
    assert len(images) >= 2  # the two thumbnails


def test_dossier_of_many_entries_runs_over_several_pages():
    doc = content("dossier")
    doc["entries"] = [
        {**doc["entries"][1], "title": f"记录{i:03d}", "text": "复查：隐患仍未整改。" * 6, "thumbnails": []}
        for i in range(40)
    ]
    data = pdf.render_document(doc)

    assert len(reader(data).pages) >= 3
    assert "记录039" in flat_text(data)


# ---------------------------------------------------------------------------------------------
# Printer-ready: A4, font embedded, QR present, identical reprint
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["notice", "pledge", "acceptance", "dossier"])
def test_pages_are_a4(kind):
    for page in reader(pdf.render_document(content(kind))).pages:
        assert abs(float(page.mediabox.width) - 595.28) <= 1
        assert abs(float(page.mediabox.height) - 841.89) <= 1


def test_a_subset_of_the_chinese_font_is_embedded():
    fonts = embedded_fonts(pdf.render_document(content("notice")))

    cjk = [(name, size) for name, size in fonts if "CJK" in name]
    assert cjk, fonts
    for name, size in cjk:
        # A subset font is named with a six-letter tag (ABCDEF+Name) and carries only the glyphs used:
        # the whole Noto Serif CJK face is over 10 MB.
        assert re.fullmatch(r"/[A-Z]{6}\+Noto-Serif-CJK-SC(-Bold)?", name), name
        assert 0 < size < 2_000_000, (name, size)
    # Only the print family: no fallback font sneaked in for some character (a sign of tofu).
    assert all("CJK" in name for name, _ in fonts), fonts


def test_qr_code_to_the_landlord_page_is_drawn():
    """WeasyPrint draws the SVG QR code as vector paths on the page (hundreds of moveto/lineto), which
    a document without the URL lacks; another URL draws other paths."""
    with_qr = content("dossier")
    without_qr = {**content("dossier"), "landlord_url": ""}
    other_url = {**content("dossier"), "landlord_url": LANDLORD_URL.replace("8c1f0a2e", "77aa0b13")}

    drawn = path_segments(pdf.render_document(with_qr))
    assert drawn - path_segments(pdf.render_document(without_qr)) > 200
    assert pdf.render_document(other_url) != pdf.render_document(with_qr)


def path_segments(data: bytes) -> int:
    """How many moveto/lineto operators the pages' content streams hold."""
    document = reader(data)
    ops = Counter(
        op for page in document.pages for _, op in ContentStream(page.get_contents(), document).operations
    )
    return ops[b"m"] + ops[b"l"]


def test_qr_svg_data_uri_is_a_vector_image_that_depends_on_the_url():
    uri = pdf.qr_svg_data_uri(LANDLORD_URL)
    svg = unquote(uri.partition(",")[2])

    assert uri.startswith("data:image/svg+xml")
    assert svg.startswith("<svg") and "<path" in svg
    assert pdf.qr_svg_data_uri(LANDLORD_URL) == uri
    assert pdf.qr_svg_data_uri(LANDLORD_URL + "x") != uri


def test_same_content_gives_a_byte_identical_pdf():
    first = pdf.render_document(content("notice"))
    second = pdf.render_document(copy.deepcopy(content("notice")))

    assert first == second
    info = reader(first).metadata
    assert info["/CreationDate"] == "D:20191008"  # the issue date, not the clock
    assert info["/ModDate"] == "D:20191008"


def test_reprint_is_identical_in_another_process_and_language():
    """Set iteration order (PYTHONHASHSEED) and the user's language must not change a reprint."""
    here = pdf.render_document(content("pledge"))
    script = (
        "import django, sys; django.setup();"
        "from django.utils import translation; translation.activate('en');"
        "from firegrid.core import pdf; from firegrid.core.tests.test_pdf import content;"
        "sys.stdout.buffer.write(pdf.render_document(content('pledge')))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "DJANGO_SETTINGS_MODULE": "firegrid.settings"}
    there = subprocess.run([sys.executable, "-c", script], capture_output=True, env=env, check=True).stdout

    assert here == there


def test_different_content_gives_a_different_pdf_identifier():
    first = reader(pdf.render_document(content("notice"))).trailer["/ID"][0]
    other = content("notice")
    other["serial"] = pdf.document_serial("衢江消整", 2019, 2)

    assert reader(pdf.render_document(other)).trailer["/ID"][0] != first


def test_document_is_chinese_whatever_the_users_language():
    with translation.override("en"):
        english = pdf.render_document(content("notice"))

    assert english == pdf.render_document(content("notice"))


# ---------------------------------------------------------------------------------------------
# Long tables
# ---------------------------------------------------------------------------------------------


def test_thirty_hazard_notice_paginates_with_the_table_header_on_each_page():
    doc = content("notice", hazard_count=30)
    data = pdf.render_document(doc)
    pages = flat_pages(data)

    assert len(pages) >= 3
    assert all(f"共{len(pages)}页" in page for page in pages)
    pages_with_rows = [page for page in pages if any(h["title"] in page for h in doc["hazards"])]
    assert len(pages_with_rows) >= 2
    for page in pages_with_rows:
        assert "检查项编号" in page and "隐患描述" in page and "验收标准" in page
    # Every hazard is printed once, in order, none lost at a page break.
    text = "".join(pages)
    positions = [text.index(h["title"]) for h in doc["hazards"]]
    assert positions == sorted(positions)
    # From page 2 on the serial heads the page, so a loose sheet can be put back.
    assert all(doc["serial"] in page for page in pages[1:])


def test_a_table_row_is_not_split_across_pages():
    doc = content("notice", hazard_count=30)
    pages = flat_pages(pdf.render_document(doc))

    for hazard in doc["hazards"]:
        pieces = [re.sub(r"\s+", "", hazard[key]) for key in ("title", "measure", "acceptance")]
        holding = {i for i, page in enumerate(pages) for piece in pieces if piece in page}
        assert len(holding) == 1, (hazard["title"], holding)
        page = pages[holding.pop()]
        assert all(piece in page for piece in pieces), hazard["title"]


@pytest.mark.parametrize("hazard_count", [1, 3, 5])
@pytest.mark.parametrize("kind", ["notice", "order", "pledge", "acceptance"])
def test_the_seal_never_stands_alone_on_a_page(kind, hazard_count):
    pages = flat_pages(pdf.render_document(content(kind, hazard_count=hazard_count)))

    assert "盖章" in pages[-1] and "签名" in pages[-1]
    assert not any("盖章" in page for page in pages[:-1])


# ---------------------------------------------------------------------------------------------
# Content contract and helpers
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("serial"), "content['serial']: 缺少此项"),
        (lambda d: d.update(kind="memo"), "content['kind']"),
        (lambda d: d["issuer"].pop("name"), "content['issuer']['name']: 缺少此项"),
        (lambda d: d.update(issued_on="2019/10/08"), "content['issued_on']: 应为 YYYY-MM-DD"),
        (lambda d: d["hazards"][2].pop("deadline"), "content['hazards'][2]['deadline']: 缺少此项"),
        (lambda d: d.update(hazards=[]), "content['hazards']: 至少一项隐患"),
        (lambda d: d.update(legal_basis=[]), "content['legal_basis']"),
        (lambda d: d.update(landlord_url="/l/plans/1/"), "content['landlord_url']"),
        (lambda d: d.update(inspectors=[]), "content['inspectors']"),
        (lambda d: d.pop("inspected_on"), "content['inspected_on']: 缺少此项"),
    ],
)
def test_incomplete_content_is_refused_naming_the_key(change, message):
    doc = content("notice")
    change(doc)

    with pytest.raises(ValueError, match=re.escape(message)):
        pdf.render_document(doc)


def test_acceptance_needs_each_hazards_result_and_dossier_thumbnails_must_be_images():
    doc = content("acceptance")
    del doc["hazards"][0]["passed"]
    with pytest.raises(ValueError, match=re.escape("content['hazards'][0]['passed']: 缺少此项")):
        pdf.validate_content(doc)

    doc = content("acceptance")
    doc["hazards"][1]["passed"] = False  # while the conclusion still says passed
    with pytest.raises(ValueError, match=re.escape("content['result']['passed']")):
        pdf.validate_content(doc)

    dossier = content("dossier")
    dossier["entries"][0]["thumbnails"] = ["file:///etc/passwd"]
    with pytest.raises(ValueError, match=re.escape("content['entries'][0]['thumbnails'][0]")):
        pdf.validate_content(dossier)


def test_a_dossier_may_have_no_hazards_and_no_qr():
    doc = content("dossier")
    doc.update(hazards=[], landlord_url="")
    text = flat_text(pdf.render_document(doc))

    assert "整改隐患" not in text
    assert "档案记录" in text


@pytest.fixture
def probe_template(settings, tmp_path):
    """A template of our own in tmp_path/templates (changing TEMPLATES resets Django's engines)."""
    (tmp_path / "templates").mkdir()
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates"]}]

    names = (f"probe{i}.html" for i in itertools.count())

    def write(html: str) -> str:
        # A new name each time: Django's cached loader would serve the first probe.html again.
        name = next(names)
        (tmp_path / "templates" / name).write_text(html)
        return name

    return write


def images_drawn(data: bytes) -> int:
    return sum(len(page["/Resources"].get("/XObject", {})) for page in reader(data).pages)


def test_documents_fetch_nothing_but_data_urls(probe_template, tmp_path):
    secret = tmp_path / "secret.png"
    Image.new("RGB", (10, 10), "red").save(secret)
    template = probe_template(f'<img src="file://{secret}"><img src="http://127.0.0.1:9/x.png">')

    assert images_drawn(pdf.render_pdf(template, {})) == 0
    assert images_drawn(pdf.render_pdf(probe_template(f'<img src="{thumbnail("red")}">'), {})) == 1


def test_with_a_base_folder_files_inside_it_are_allowed_and_outside_refused(probe_template, tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    Image.new("RGB", (10, 10), "red").save(static / "logo.png")
    Image.new("RGB", (10, 10), "red").save(tmp_path / "outside.png")

    inside = pdf.render_pdf(probe_template('<img src="logo.png">'), {}, base_url=f"{static}/")
    escaping = pdf.render_pdf(probe_template('<img src="../outside.png">'), {}, base_url=f"{static}/")

    assert images_drawn(inside) == 1
    assert images_drawn(escaping) == 0
    with pytest.raises(ValueError, match="base_url"):
        pdf.render_pdf(probe_template("<p>x</p>"), {}, base_url="https://firegrid.example.cn/")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-10-08", "2019年10月8日"),
        (dt.date(2019, 1, 31), "2019年1月31日"),
        (dt.datetime(2019, 12, 1, 23, 59), "2019年12月1日"),
    ],
)
def test_chinese_date_has_no_leading_zeros(value, expected):
    assert pdf.chinese_date(value) == expected


def test_chinese_datetime_is_in_shanghai_time():
    assert pdf.chinese_datetime("2019-10-08T16:05:00+00:00") == "2019年10月9日 00:05"


def test_document_serial_has_hexagonal_brackets_and_four_digits():
    assert pdf.document_serial("衢江消整", 2019, 1) == "衢江消整〔2019〕第0001号"
    assert pdf.document_serial("衢江消整", 2020, 12345) == "衢江消整〔2020〕第12345号"


def test_image_data_uri_refuses_what_is_not_an_image():
    assert pdf.image_data_uri(b"\xff\xd8", "image/jpeg") == "data:image/jpeg;base64,/9g="
    with pytest.raises(ValueError):
        pdf.image_data_uri(b"<svg/>", "text/html")


# ---------------------------------------------------------------------------------------------
# The machine: fonts and HarfBuzz subsetting
# ---------------------------------------------------------------------------------------------


def test_harfbuzz_subsetting_is_available_for_fast_chinese_pdfs(caplog):
    """Without libharfbuzz-subset0 WeasyPrint falls back to fontTools: ~14 s a page instead of ~0.25 s.
    Skipped loudly where the packages are missing, except under CI=true where they are required."""
    problems = pdf.check_pdf_fonts()
    if problems:
        message = " ".join(problems)
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (required under CI=true; scripts/system-packages.sh installs them)")
        print(f"\n!!! SKIPPING PDF SUBSETTING CHECK: {message}\n")
        pytest.skip(message)

    with caplog.at_level("WARNING", logger="weasyprint"):
        data = pdf.render_document(content("notice"))

    # WeasyPrint says so, once per font, when it subsets with fontTools instead of HarfBuzz.
    assert not [r.getMessage() for r in caplog.records if "fontTools" in r.getMessage()]
    assert any("CJK" in name for name, _ in embedded_fonts(data))


def test_font_check_names_the_missing_packages(monkeypatch):
    from weasyprint.text import ffi

    monkeypatch.setattr(ffi, "harfbuzz_subset", None)
    monkeypatch.setattr(pdf, "PDF_FONT_FAMILIES", ("Noto Serif CJK SC", "No Such Font Family XYZ"))

    problems = pdf.check_pdf_fonts()

    assert len(problems) == 2
    assert "No Such Font Family XYZ" in problems[0] and "fonts-noto-cjk" in problems[0]
    assert "Noto Serif CJK SC" not in problems[0]  # installed here
    assert "libharfbuzz-subset0" in problems[1]


def test_font_problems_are_system_check_warnings(monkeypatch):
    monkeypatch.setattr(pdf, "check_pdf_fonts", lambda: ["缺少中文字体 X：请安装 fonts-noto-cjk。"])

    messages = pdf_fonts_check(app_configs=None)

    assert [(m.level, m.id) for m in messages] == [(30, "firegrid.W001")]  # WARNING, not an error
    assert "fonts-noto-cjk" in messages[0].msg


def test_the_font_check_is_registered_with_manage_check(monkeypatch):
    from django.core import checks

    monkeypatch.setattr(
        pdf, "check_pdf_fonts", lambda: ["缺少 HarfBuzz 字体子集库：请安装 libharfbuzz-subset0。"]
    )

    messages = checks.run_checks(tags=["firegrid"])  # what `manage.py check` runs, this tag only

    assert [m.id for m in messages] == ["firegrid.W001"]
    assert "libharfbuzz-subset0" in messages[0].msg
