"""Printed documents: a frozen content dict → an A4 PDF with its Chinese font embedded.

Notices, pledges, acceptance records and premises files are rendered by WeasyPrint from the templates
in ``templates/documents/``. A document's content is frozen as a plain JSON-able dict when it is
issued; ``render_document(content)`` turns that dict into PDF bytes, and the same dict always gives
the same bytes (no clock, no random identifier, no language switch: see ``render_pdf``). A template
or WeasyPrint/font upgrade does change the bytes of a reprint, so keep the sha256 of what was issued
if a reprint must be proven identical across releases.

The printed text is Chinese whatever language the user chose: a notice is an official document
served on a landlord. Templates therefore hold plain Chinese, not translatable strings.

Content schema
==============

Dates are ISO strings (``"2019-10-08"``), date-times ISO with their offset
(``"2019-10-09T14:32:05+08:00"``). Every key listed for a kind is required (``validate_content``
names the first one missing or malformed); a string may be ``""`` where it says "may be empty".

Every kind
----------
``kind``          ``"notice"`` 隐患整改通知书, ``"order"`` 责令限期改正通知书 (the same template with
                  stronger wording), ``"pledge"`` 承诺书, ``"acceptance"`` 验收单, ``"dossier"`` 一户一档.
``title``         str, the printed title (``DOCUMENT_TITLES[kind]`` is the usual one); frozen with the
                  rest so a later rename does not change a reprint.
``serial``        str, the number as printed: ``document_serial("衢江消整", 2019, 1)`` →
                  ``"衢江消整〔2019〕第0001号"``. For a dossier, the premises file number.
``issuer``        ``{"name": str, "department": str, "phone": str}``: the issuing body
                  (``"衢州市衢江区消防安全专项整治指挥部"``), the department acting for it (may be empty),
                  a contact phone printed under the signature block (may be empty).
``issued_on``     date of issue (dossier: date printed). Printed as ``chinese_date`` and used as the
                  PDF's creation and modification dates.
``addressee``     ``{"name": str, "address": str, "masked_mobile": str}``: the landlord as served;
                  ``address`` is the landlord's own address (may be empty), ``masked_mobile`` already
                  masked (``138****5678``, may be empty).
``premises``      ``{"address": str, "kind": str}``: ``kind`` as printed (``"出租房屋"``, ``"出租商铺"``,
                  ``"合用场所"``), not the code.
``hazards``       list (at least one, except a dossier) of ``{"code": str, "title": str,
                  "description": str, "measure": str, "acceptance": str, "deadline": date}``:
                  checklist item code and title, what was found (may be empty), the measure
                  required, the acceptance standard, the hazard's own deadline (the issue date
                  itself prints as 立即整改).
``plan_deadline`` date by which every hazard must be fixed.
``legal_basis``   list of str, e.g. ``["《中华人民共和国消防法》第十六条", "《浙江省消防条例》第二十条"]``;
                  at least one for notice and order.
``landlord_url``  absolute http(s) URL of the plan's landlord page, printed as a QR code. Required
                  except for a dossier, where ``""`` prints no QR code.
``inspectors``    list of ``{"name": str, "badge": str}``: the officers who sign this document (badge:
                  law-enforcement certificate number 执法证号, may be empty). At least one for notice,
                  order and acceptance.

By kind
-------
notice, order   ``inspected_on``: date of the inspection that found the hazards, or ``None``.
pledge          ``notice_serial``: the serial of the notice it answers (may be empty);
                ``signature``: ``None`` while unsigned (blank lines are printed), else
                ``{"name": str, "signed_at": date-time, "ip": str}`` — the typed name, when and from
                where it was signed.
acceptance      ``notice_serial`` as for the pledge; each hazard also has ``"passed": bool`` and
                ``"note": str`` (what the acceptance found, may be empty);
                ``result``: ``{"accepted_on": date, "passed": bool, "remarks": str}`` — the overall
                conclusion (``passed`` true only when every hazard passed) and remarks (may be empty).
dossier         ``facts``: list of ``[label, value]`` str pairs, the header table (building, grid,
                rooms, tenants …, in the order printed);
                ``entries``: list of ``{"at": date or date-time, "kind": str, "title": str,
                "text": str, "actor": str, "thumbnails": [str]}``, oldest first: the label of the
                entry's kind (``"检查"``, ``"隐患"``, ``"整改方案"``, ``"文书"``, ``"执法"`` …), a title,
                the text (may be empty), who did it (may be empty), photo thumbnails as
                ``data:image/…`` URIs (``image_data_uri``).

The certificate
---------------
certificate     荣誉证书 of a year-end award (firegrid.points): ``kind``, ``title``, ``serial``, ``issuer``,
                ``issued_on`` and ``addressee`` as above (``address`` and ``masked_mobile`` may be empty),
                and none of the plan keys; ``award``: str, the award as printed (``"文明家庭"``,
                ``"文明商户"``); ``year``: int, the evaluated year; ``points``: int, the year's points;
                ``places``: list of str, the premises the award is for (may be empty). Printed on one A4
                page in landscape.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NotRequired, TypedDict
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.template.loader import render_to_string
from django.utils import timezone, translation

# The kinds of content and their checks: pdf_content.py (re-exported: callers import them from here).
from .pdf_content import TEMPLATES, validate_content

if TYPE_CHECKING:
    # WeasyPrint loads Pango at import: imported where a PDF is written, named here for the types only.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

DocumentKindName = Literal["notice", "order", "pledge", "acceptance", "dossier", "certificate"]


class Issuer(TypedDict):
    name: str
    department: str
    phone: str


class Addressee(TypedDict):
    name: str
    address: str
    masked_mobile: str


class PremisesFacts(TypedDict):
    address: str
    kind: str


class HazardRow(TypedDict):
    code: str
    title: str
    description: str
    measure: str
    acceptance: str
    deadline: str
    passed: NotRequired[bool]  # acceptance only
    note: NotRequired[str]  # acceptance only


class Inspector(TypedDict):
    name: str
    badge: str


class Signature(TypedDict):
    name: str
    signed_at: str
    ip: str


class AcceptanceResult(TypedDict):
    accepted_on: str
    passed: bool
    remarks: str


class DossierEntry(TypedDict):
    at: str
    kind: str
    title: str
    text: str
    actor: str
    thumbnails: list[str]


class DocumentContent(TypedDict):
    """The frozen content of one printed document; see the module docstring for each key."""

    kind: DocumentKindName
    title: str
    serial: str
    issuer: Issuer
    issued_on: str
    addressee: Addressee
    premises: PremisesFacts
    hazards: list[HazardRow]
    plan_deadline: str
    legal_basis: list[str]
    landlord_url: str
    inspectors: list[Inspector]
    inspected_on: NotRequired[str | None]  # notice, order
    notice_serial: NotRequired[str]  # pledge, acceptance
    signature: NotRequired[Signature | None]  # pledge
    result: NotRequired[AcceptanceResult]  # acceptance
    facts: NotRequired[list[list[str]]]  # dossier
    entries: NotRequired[list[DossierEntry]]  # dossier


class CertificateContent(TypedDict):
    """The frozen content of a certificate (荣誉证书); see the module docstring."""

    kind: Literal["certificate"]
    title: str
    serial: str
    issuer: Issuer
    issued_on: str
    addressee: Addressee
    award: str
    year: int
    points: int
    places: list[str]


DOCUMENT_TITLES: dict[str, str] = {
    "notice": "隐患整改通知书",
    "order": "责令限期改正通知书",
    "pledge": "消防安全隐患整改承诺书",
    "acceptance": "隐患整改验收单",
    "dossier": "出租房屋消防安全档案（一户一档）",
    "certificate": "荣誉证书",
}

# Fonts the print stylesheet names, and the Debian packages that bring what rendering needs.
PDF_FONT_FAMILIES = ("Noto Serif CJK SC",)
FONT_PACKAGE = "fonts-noto-cjk"
SUBSET_PACKAGE = "libharfbuzz-subset0"

# ---------------------------------------------------------------------------------------------
# Small helpers the lead's code and the templates share
# ---------------------------------------------------------------------------------------------


def chinese_date(value: dt.date | str) -> str:
    """2019年10月8日: the date form of GB/T 9704-2012 (7.3.5.1: Arabic numerals, year in full, month
    and day without a leading zero), which replaced the 二〇一九年十月八日 form in official documents."""
    day = _as_date(value)
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_datetime(value: dt.datetime | str) -> str:
    """2019年10月9日 14:32, in the site's time zone (Asia/Shanghai)."""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{chinese_date(moment.date())} {moment:%H:%M}"


def document_serial(prefix: str, year: int, number: int) -> str:
    """衢江消整〔2019〕第0001号: the document number with its hexagonal brackets (〔〕, GB/T 9704)."""
    return f"{prefix}〔{year}〕第{number:04d}号"


def qr_svg_data_uri(url: str) -> str:
    """A QR code of ``url`` as an SVG data URI, for ``<img src>`` in a printed document (vector: sharp
    at any printer resolution). Error correction M survives a folded or slightly soiled notice."""
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=4, border=0, dark="#000")


def image_data_uri(data: bytes, content_type: str = "image/jpeg") -> str:
    """An image (e.g. a photo's stored thumbnail) as a data URI for a dossier entry."""
    if not content_type.startswith("image/"):
        raise ValueError(f"不是图片类型：{content_type}")
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------


def render_pdf(
    template_name: str,
    context: Mapping[str, Any],
    *,
    base_url: str | None = None,
    language: str | None = None,
) -> bytes:
    """Render a Django template to PDF bytes with WeasyPrint; the same context gives the same bytes.

    WeasyPrint adds no clock or random value of its own; the only dates in the file are the
    ``dcterms.created``/``dcterms.modified`` meta tags the template sets (documents/base.html uses the
    issue date), and the file identifier is derived from the HTML, so a reprint of the same content is
    byte-identical. The template language is pinned to the site's (Chinese) so the user's language
    choice cannot leak in — unless `language` names another: an internal report (the daily bulletin) is
    printed in its reader's language; a document served on a landlord never passes one.

    Only ``data:`` URLs are fetched (QR codes, thumbnails): a document must not depend on the network,
    and nothing in a content dict can make the server fetch a URL. With ``base_url`` (a local folder),
    ``file:`` URLs under it are allowed too.
    """
    from django.conf import settings
    from weasyprint import HTML

    with translation.override(language or settings.LANGUAGE_CODE):
        html = render_to_string(template_name, dict(context))
    identifier = hashlib.sha256(html.encode()).hexdigest()[:32].encode("ascii")
    pdf: bytes = HTML(string=html, base_url=base_url, url_fetcher=_url_fetcher(base_url)).write_pdf(
        pdf_identifier=identifier
    )
    return pdf


def render_document(content: Mapping[str, Any], *, base_url: str | None = None) -> bytes:
    """The PDF of one document from its frozen content (schema in the module docstring)."""
    validate_content(content)
    return render_pdf(TEMPLATES[content["kind"]], document_context(content), base_url=base_url)


def render_documents(contents: Iterable[Mapping[str, Any]]) -> bytes:
    """Several documents as one PDF to print: each laid out on its own (its page numbers and QR are its
    own, exactly as its single PDF), the pages then written together so the fonts are embedded once.

    Joining separately written PDFs instead repeats a ~300 KB font subset per document (1,000 notices:
    ~300 MB and GBs of memory); here a batch costs about one font plus the pages.
    """
    from django.conf import settings
    from weasyprint import HTML

    pages, first = [], None
    for content in contents:
        validate_content(content)
        with translation.override(settings.LANGUAGE_CODE):
            html = render_to_string(TEMPLATES[content["kind"]], document_context(content))
        document = HTML(string=html, url_fetcher=_url_fetcher(None)).render()
        first = first or document
        pages.extend(document.pages)
    if first is None:
        raise ValueError("render_documents: no documents")
    pdf: bytes = first.copy(pages).write_pdf()
    return pdf


def document_context(content: Mapping[str, Any]) -> dict[str, Any]:
    """The template context: the content as ``doc`` plus the printed forms of its dates and the QR."""
    issued_on = content["issued_on"]
    if content["kind"] == "certificate":
        return {
            "doc": content,
            "issued_on_text": chinese_date(issued_on),
            "places_text": "、".join(content["places"]),
        }
    hazards = []
    for index, hazard in enumerate(content["hazards"], start=1):
        # Due on the day of issue means at once.
        due = "立即整改" if hazard["deadline"] == issued_on else chinese_date(hazard["deadline"])
        # Year and day as two unbreakable pieces, so a narrow column breaks 2019年 / 10月22日.
        parts = due.replace("年", "年\n", 1).split("\n")
        hazards.append({**hazard, "number": index, "deadline_text": due, "deadline_parts": parts})
    context: dict[str, Any] = {
        "doc": content,
        "hazards": hazards,
        "issued_on_text": chinese_date(issued_on),
        "plan_deadline_text": chinese_date(content["plan_deadline"]),
        "legal_basis_text": "、".join(content["legal_basis"]),
        "qr": qr_svg_data_uri(content["landlord_url"]) if content["landlord_url"] else "",
        "is_order": content["kind"] == "order",
    }
    if content.get("inspected_on"):
        context["inspected_on_text"] = chinese_date(content["inspected_on"])
    if content.get("signature"):
        context["signed_at_text"] = chinese_datetime(content["signature"]["signed_at"])
    if content.get("result"):
        context["accepted_on_text"] = chinese_date(content["result"]["accepted_on"])
    if "facts" in content:
        # Two label/value pairs per row of the header table; an odd last pair spans the row.
        context["fact_rows"] = [content["facts"][i : i + 2] for i in range(0, len(content["facts"]), 2)]
    if "entries" in content:
        context["entries"] = [{**entry, "at_text": _moment_text(entry["at"])} for entry in content["entries"]]
    return context


def _as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def _moment_text(value: str) -> str:
    """A dossier entry's time: a date alone, or date and time when the entry has one."""
    return chinese_date(value) if len(value) == 10 else chinese_datetime(value)


def _url_fetcher(base_url: str | None) -> URLFetcher:
    from weasyprint import URLFetcher

    root = _local_folder(base_url) if base_url else None

    class DocumentFetcher(URLFetcher):
        """``data:`` URLs, and ``file:`` URLs inside ``base_url`` (``..`` resolved first)."""

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
            if root and url.startswith("file:") and not _file_path(url).is_relative_to(root):
                raise ValueError(f"只能读取 {root} 下的文件：{url}")
            response: URLFetcherResponse = super().fetch(url, headers)
            return response

    return DocumentFetcher(allowed_protocols={"data", "file"} if root else {"data"})


def _local_folder(base_url: str) -> Path:
    scheme = urlsplit(base_url).scheme
    if scheme not in ("", "file"):
        raise ValueError(f"base_url 应为本机文件夹，不能是 {scheme} 网址：{base_url}")
    return _file_path(base_url) if scheme else Path(base_url).resolve()


def _file_path(url: str) -> Path:
    return Path(url2pathname(urlsplit(url).path)).resolve()


# ---------------------------------------------------------------------------------------------
# What the machine needs for Chinese PDFs
# ---------------------------------------------------------------------------------------------


def check_pdf_fonts() -> list[str]:
    """What this machine lacks to print Chinese PDFs well, one sentence each naming the package to
    install; empty when nothing is missing. Without the fonts the glyphs print as empty boxes; without
    HarfBuzz's subsetter WeasyPrint falls back to fontTools, ~14 s a page instead of ~0.25 s."""
    try:
        from weasyprint.text.ffi import ffi, fontconfig, harfbuzz, harfbuzz_subset
    except OSError as error:  # Pango or one of its libraries cannot be loaded at all
        return [f"WeasyPrint 无法加载 Pango 等系统库（{error}）：无法生成 PDF，请安装 libpango-1.0-0。"]
    problems = []
    missing = [family for family in PDF_FONT_FAMILIES if not _font_installed(ffi, fontconfig, family)]
    if missing:
        problems.append(
            f"缺少中文字体 {', '.join(missing)}：PDF 中的汉字将无法显示。"
            f"请安装 {FONT_PACKAGE}（sudo apt-get install {FONT_PACKAGE}）。"
        )
    if harfbuzz_subset is None or not harfbuzz.hb_version_atleast(4, 1, 0):
        problems.append(
            f"缺少 HarfBuzz 字体子集库（4.1 以上）：中文 PDF 每页约需 14 秒（应约 0.25 秒）。"
            f"请安装 {SUBSET_PACKAGE}（sudo apt-get install {SUBSET_PACKAGE}）。"
        )
    return problems


def _font_installed(ffi: Any, fontconfig: Any, family: str) -> bool:  # cffi handles: untyped
    """Does fontconfig resolve ``family`` to that family itself, not to a fallback?"""
    pattern = fontconfig.FcPatternCreate()
    try:
        fontconfig.FcPatternAddString(pattern, b"family", family.encode())
        fontconfig.FcConfigSubstitute(ffi.NULL, pattern, fontconfig.FcMatchPattern)
        fontconfig.FcDefaultSubstitute(pattern)
        result = ffi.new("FcResult *")
        match = fontconfig.FcFontMatch(ffi.NULL, pattern, result)
        if match == ffi.NULL:
            return False
        try:
            value = ffi.new("FcChar8 **")
            index = 0
            while fontconfig.FcPatternGetString(match, b"family", index, value) == fontconfig.FcResultMatch:
                if ffi.string(value[0]).decode() == family:
                    return True
                index += 1
            return False
        finally:
            fontconfig.FcPatternDestroy(match)
    finally:
        fontconfig.FcPatternDestroy(pattern)
