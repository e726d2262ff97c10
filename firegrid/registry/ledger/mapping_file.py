"""Column mappings as YAML files (the command's --mapping FILE, the API's export): one file per sheet layout,
read and checked in the user's scope, saved through the ledger services."""

from __future__ import annotations

from typing import TYPE_CHECKING

import yaml
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl.utils import column_index_from_string, get_column_letter

from firegrid.areas.choices import AreaLevel
from firegrid.areas.models import Area, User

from .fields import fields_for
from .values import clean_text

if TYPE_CHECKING:
    from firegrid.registry.models import LedgerMapping

from .mapping import header_signature
from .value_map import AREA, choice_options, value_columns

# --- mappings as YAML files (the command's --mapping FILE, the API): one file per sheet layout -------------

YAML_VERSION = 1


def to_yaml(saved: LedgerMapping) -> str:
    """A saved mapping as a YAML file a district's IT staff can keep beside a script: columns by letter,
    the default grid and the area values by code (codes, unlike names, do not change)."""
    mapping = saved.mapping or {}
    grid_pk = mapping.get("default_grid")
    default_code = Area.objects.filter(pk=grid_pk).values_list("code", flat=True).first() if grid_pk else None
    document = {
        "firegrid_ledger_mapping": YAML_VERSION,
        "kind": saved.kind,
        "headers": list(saved.headers or []),
        "columns": {
            get_column_letter(int(index) + 1): key
            for index, key in sorted((mapping.get("columns") or {}).items(), key=lambda item: int(item[0]))
        },
        "default_grid": default_code,
        "values": mapping.get("values") or {},
    }
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def _bad(key: str, reason: str) -> ValidationError:
    return ValidationError(_("对应关系文件的「%(key)s」有误：%(reason)s") % {"key": key, "reason": reason})


def from_yaml(text: str, user: User) -> LedgerMapping:
    """A mapping read from YAML (`to_yaml`'s format), checked against what the user may use; unsaved, with
    no owner (services.save_mapping saves one for the user's area). Errors name the bad key."""
    from firegrid.registry.models import LedgerMapping

    from .choices import ImportKind

    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValidationError(
            _("对应关系文件不是有效的 YAML：%(error)s") % {"error": str(exc)[:200]}
        ) from None
    if not isinstance(document, dict):
        raise _bad("/", str(_("应为键值对（kind、headers、columns…）")))
    unknown = set(document) - {
        "firegrid_ledger_mapping",
        "kind",
        "headers",
        "columns",
        "default_grid",
        "values",
    }
    if unknown:
        raise _bad(sorted(map(str, unknown))[0], str(_("不认识的键")))
    kind = document.get("kind")
    if kind not in ImportKind.values:
        raise _bad("kind", str(_("应为 %(kinds)s 之一") % {"kinds": ", ".join(ImportKind.values)}))
    headers = document.get("headers")
    if not isinstance(headers, list) or not headers:
        raise _bad("headers", str(_("应为台账表头的列表")))
    headers = [clean_text(h) for h in headers]
    known = fields_for(kind)
    raw_columns = document.get("columns")
    if not isinstance(raw_columns, dict) or not raw_columns:
        raise _bad("columns", str(_("应为“列字母: 字段”的对应表")))
    columns: dict[str, str] = {}
    for letter, key in raw_columns.items():
        where = f"columns.{letter}"
        try:
            index = column_index_from_string(str(letter).strip().upper()) - 1
        except ValueError:
            raise _bad(where, str(_("不是列字母（如 A、B、AA）"))) from None
        if index >= len(headers):
            raise _bad(where, str(_("超出表头的列数")))
        if key not in known:
            raise _bad(where, str(_("不是此类台账的字段：%(key)s") % {"key": key}))
        if key in columns.values():
            raise _bad(where, str(_("每个字段只能对应一列")))
        columns[str(index)] = key
    default_grid = None
    code = document.get("default_grid")
    if code not in (None, ""):
        grid = Area.objects.filter(level=AreaLevel.GRID, code=str(code)).first()
        if grid is None:
            raise _bad("default_grid", str(_("没有编码为「%(code)s」的网格") % {"code": code}))
        if user.scope_grid_ids is not None and grid.pk not in user.scope_grid_ids:
            raise _bad("default_grid", str(_("网格「%(grid)s」不在您的辖区内") % {"grid": grid.name}))
        default_grid = grid.pk
    values = _values_from_yaml(kind, document.get("values") or {}, {int(i): k for i, k in columns.items()})
    return LedgerMapping(
        kind=kind,
        signature=header_signature(headers),
        headers=headers,
        mapping={"columns": columns, "default_grid": default_grid, "values": values},
    )


def _values_from_yaml(kind: str, raw: object, columns: dict[int, str]) -> dict[str, dict[str, str]]:
    if not isinstance(raw, dict):
        raise _bad("values", str(_("应为“列: {台账值: 系统值}”的对应表")))
    entries = value_columns(kind, {key: index for index, key in columns.items()})
    values: dict[str, dict[str, str]] = {}
    for entry, table in raw.items():
        where = f"values.{entry}"
        if entry not in entries:
            raise _bad(where, str(_("不是已对应的社区/网格列或选项列")))
        if not isinstance(table, dict):
            raise _bad(where, str(_("应为“台账值: 系统值”的对应表")))
        table = {clean_text(k): clean_text(v) for k, v in table.items() if clean_text(v)}
        if entry == AREA:
            codes = set(
                Area.objects.filter(
                    level__in=[AreaLevel.COMMUNITY, AreaLevel.GRID], code__in=set(table.values())
                ).values_list("code", flat=True)
            )
            allowed = codes
        else:
            allowed = {option for option, _label in choice_options(kind, entry)}
        for sheet_value, target in table.items():
            if target not in allowed:
                raise _bad(
                    f"{where}.{sheet_value}", str(_("「%(value)s」不是可用的系统值") % {"value": target})
                )
        values[entry] = table
    return values
