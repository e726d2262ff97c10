"""The content dict of a document, checked before it is rendered (firegrid.core.pdf): the kinds and their
templates, the keys each kind requires and their types. A missing or malformed key is a ValueError naming
it, in Chinese as the developers of the callers read it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

TEMPLATES: dict[str, str] = {
    "notice": "documents/notice.html",
    "order": "documents/notice.html",
    "pledge": "documents/pledge.html",
    "acceptance": "documents/acceptance.html",
    "dossier": "documents/dossier.html",
    "certificate": "documents/certificate.html",
}

_COMMON_KEYS = {
    "kind": str,
    "title": str,
    "serial": str,
    "issuer": dict,
    "issued_on": str,
    "addressee": dict,
    "premises": dict,
    "hazards": list,
    "plan_deadline": str,
    "legal_basis": list,
    "landlord_url": str,
    "inspectors": list,
}
_KIND_KEYS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "notice": {"inspected_on": (str, type(None))},
    "order": {"inspected_on": (str, type(None))},
    "pledge": {"notice_serial": str, "signature": (dict, type(None))},
    "acceptance": {"notice_serial": str, "result": dict},
    "dossier": {"facts": list, "entries": list},
}
_NESTED_KEYS = {
    "issuer": ("name", "department", "phone"),
    "addressee": ("name", "address", "masked_mobile"),
    "premises": ("address", "kind"),
}
_HAZARD_KEYS = ("code", "title", "description", "measure", "acceptance", "deadline")
_CERTIFICATE_KEYS: dict[str, type | tuple[type, ...]] = {
    "kind": str,
    "title": str,
    "serial": str,
    "issuer": dict,
    "issued_on": str,
    "addressee": dict,
    "award": str,
    "year": int,
    "points": int,
    "places": list,
}


def validate_content(content: Mapping[str, Any]) -> None:
    """Raise ValueError naming the first missing or malformed key: the content dict is a contract
    between the code that freezes a document and these templates, checked before anything prints."""
    kind = content.get("kind")
    if kind not in TEMPLATES:
        raise ValueError(f"content['kind']: 应为 {sorted(TEMPLATES)} 之一，实为 {kind!r}")
    if kind == "certificate":
        _validate_certificate(content)
        return
    _require(content, {**_COMMON_KEYS, **_KIND_KEYS[kind]}, "content")
    for key, fields in _NESTED_KEYS.items():
        _require_strings(content[key], fields, f"content['{key}']")
    _check_date(content["issued_on"], "content['issued_on']")
    _check_date(content["plan_deadline"], "content['plan_deadline']")
    if not content["serial"]:
        raise ValueError("content['serial']: 不能为空")
    if kind != "dossier" and not content["hazards"]:
        raise ValueError("content['hazards']: 至少一项隐患")
    hazard_keys = _HAZARD_KEYS + (("passed", "note") if kind == "acceptance" else ())
    for i, hazard in enumerate(content["hazards"]):
        where = f"content['hazards'][{i}]"
        _require(hazard, {key: bool if key == "passed" else str for key in hazard_keys}, where)
        _check_date(hazard["deadline"], f"{where}['deadline']")
    if kind in ("notice", "order") and not content["legal_basis"]:
        raise ValueError("content['legal_basis']: 通知书须写明法律依据")
    if not all(isinstance(line, str) for line in content["legal_basis"]):
        raise ValueError("content['legal_basis']: 应为字符串列表")
    if kind != "dossier" or content["landlord_url"]:
        if urlsplit(content["landlord_url"]).scheme not in ("http", "https"):
            raise ValueError("content['landlord_url']: 应为完整的 http(s) 网址")
    if kind in ("notice", "order", "acceptance") and not content["inspectors"]:
        raise ValueError("content['inspectors']: 至少一名检查人员")
    for i, inspector in enumerate(content["inspectors"]):
        _require_strings(inspector, ("name", "badge"), f"content['inspectors'][{i}]")
    if content.get("inspected_on"):
        _check_date(content["inspected_on"], "content['inspected_on']")
    if content.get("signature"):
        _require_strings(content["signature"], ("name", "signed_at", "ip"), "content['signature']")
        _check_datetime(content["signature"]["signed_at"], "content['signature']['signed_at']")
    if kind == "acceptance":
        _require(content["result"], {"accepted_on": str, "passed": bool, "remarks": str}, "content['result']")
        _check_date(content["result"]["accepted_on"], "content['result']['accepted_on']")
        if content["result"]["passed"] and not all(hazard["passed"] for hazard in content["hazards"]):
            raise ValueError("content['result']['passed']: 有隐患验收不合格，结论不能为验收合格")
    if kind == "dossier":
        for i, fact in enumerate(content["facts"]):
            if not (
                isinstance(fact, list | tuple) and len(fact) == 2 and all(isinstance(x, str) for x in fact)
            ):
                raise ValueError(f"content['facts'][{i}]: 应为 [标签, 内容] 两个字符串")
        for i, entry in enumerate(content["entries"]):
            where = f"content['entries'][{i}]"
            _require(
                entry,
                {"at": str, "kind": str, "title": str, "text": str, "actor": str, "thumbnails": list},
                where,
            )
            _check_datetime(entry["at"], f"{where}['at']")
            for j, uri in enumerate(entry["thumbnails"]):
                if not (isinstance(uri, str) and uri.startswith("data:image/")):
                    raise ValueError(f"{where}['thumbnails'][{j}]: 应为 data:image/… 形式的图片")


def _validate_certificate(content: Mapping[str, Any]) -> None:
    _require(content, _CERTIFICATE_KEYS, "content")
    for key in ("issuer", "addressee"):
        _require_strings(content[key], _NESTED_KEYS[key], f"content['{key}']")
    _check_date(content["issued_on"], "content['issued_on']")
    for key in ("serial", "award"):
        if not content[key]:
            raise ValueError(f"content['{key}']: 不能为空")
    if not content["addressee"]["name"]:
        raise ValueError("content['addressee']['name']: 不能为空")
    if not all(isinstance(place, str) for place in content["places"]):
        raise ValueError("content['places']: 应为字符串列表")


def _require(data: Any, keys: Mapping[str, type | tuple[type, ...]], where: str) -> None:
    if not isinstance(data, Mapping):
        raise ValueError(f"{where}: 应为字典")
    for key, expected in keys.items():
        if key not in data:
            raise ValueError(f"{where}['{key}']: 缺少此项")
        if not isinstance(data[key], expected):
            raise ValueError(
                f"{where}['{key}']: 类型应为 {_type_names(expected)}，实为 {type(data[key]).__name__}"
            )


def _require_strings(data: Any, fields: Iterable[str], where: str) -> None:
    _require(data, dict.fromkeys(fields, str), where)


def _type_names(expected: type | tuple[type, ...]) -> str:
    types = expected if isinstance(expected, tuple) else (expected,)
    return " 或 ".join(t.__name__ for t in types)


def _check_date(value: str, where: str) -> None:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{where}: 应为 YYYY-MM-DD 格式的日期，实为 {value!r}") from None


def _check_datetime(value: str, where: str) -> None:
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{where}: 应为 ISO 格式的日期或时间，实为 {value!r}") from None
