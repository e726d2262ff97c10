"""Cell values as real ledgers hold them → Python values: full-width digits, stray spaces, IDs that Excel
turned into numbers, dates typed five different ways, 是/否/√. Each converter returns the value or raises
`CellError` with a message the user can act on."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models

from firegrid.core.validators import normalise_id_number, validate_mobile, validate_resident_id

from .messages import deferred as _
from .messages import from_validation_error


class CellError(ValueError):
    """A cell's value cannot be read as what its column holds."""


class FormulaWithoutValue:
    """A formula cell saved without its computed value (written by a program, never opened in Excel)."""

    def __repr__(self) -> str:
        return "<formula without value>"


FORMULA_WITHOUT_VALUE = FormulaWithoutValue()
EXCEL_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}
)

# Full-width ASCII letters and digits (Ａ-Ｚ, ａ-ｚ, ０-９) and the ideographic space → half-width.
# Punctuation is left alone: （） in an address stays as the registry already holds it.
_HALF: dict[int, int | str | None] = {0x3000: " ", 0xA0: " ", 0x200B: None, 0xFEFF: None}
_HALF.update({c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)})
_HALF.update({c: c - 0xFEE0 for c in range(0xFF21, 0xFF3B)})
_HALF.update({c: c - 0xFEE0 for c in range(0xFF41, 0xFF5B)})
HALF_WIDTH = str.maketrans(_HALF)
_SPACES = re.compile(r"\s+")


def clean_text(value: object) -> str:
    """The text of a cell: half-width letters and digits, no leading/trailing or doubled spaces."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "是" if value else "否"
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() else str(round(value, 6))
    elif isinstance(value, dt.datetime):
        text = value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = str(value)
    text = text.translate(HALF_WIDTH)
    if " " in text or "\n" in text or "\t" in text or "\r" in text:
        text = _SPACES.sub(" ", text)
    return text.strip()


def header_key(value: object) -> str:
    """A header cell reduced for matching: NFKC, no spaces, marks, units or required-field stars."""
    text = unicodedata.normalize("NFKC", clean_text(value)).lower()
    text = re.sub(r"[\s*★:：_\-/、.。]", "", text)
    # Units and notes in brackets: 建筑面积(㎡), 面积（平方米）, 类型(出租房/商铺).
    text = re.sub(r"[(\[【].*?[)\]】]", "", text)
    return text


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check_cell(value: object) -> None:
    """Refuse cells whose content is not data: a formula without a value, an Excel error value."""
    if value is FORMULA_WITHOUT_VALUE:
        raise CellError(_("单元格是公式但没有计算结果，请在 Excel 中打开并保存后重新上传，或改为填写数值。"))
    if isinstance(value, str) and value.strip() in EXCEL_ERRORS:
        raise CellError(_("单元格是公式错误值 %(value)s，请改正公式或填写数值。") % {"value": value.strip()})


# --- converters: (cell value) -> python value; blank cells never reach them ---------------------------


def to_text(value: object) -> str:
    return clean_text(value)


def to_int(value: object) -> int:
    if isinstance(value, bool):
        raise CellError(_("应填写整数。"))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = clean_text(value).replace(",", "")
    text = re.sub(r"(层|间|人|户|个|年)$", "", text)
    if re.fullmatch(r"[+-]?\d+(\.0+)?", text):
        return int(Decimal(text))
    raise CellError(_("应填写整数，而不是「%(value)s」。") % {"value": clean_text(value)[:30]})


def to_decimal(value: object) -> Decimal:
    if isinstance(value, bool):
        raise CellError(_("应填写数字。"))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(round(value, 6)))
    text = clean_text(value).replace(",", "")
    text = re.sub(r"(平方米|平米|m2|m²|㎡|米|m)$", "", text, flags=re.I).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(_("应填写数字，而不是「%(value)s」。") % {"value": clean_text(value)[:30]}) from None
    if not number.is_finite():
        raise CellError(_("应填写数字，而不是「%(value)s」。") % {"value": clean_text(value)[:30]})
    return number


_DATE_PATTERNS = [
    re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s.*)?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
]
EXCEL_EPOCH = dt.date(1899, 12, 30)


def to_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 10000 < value < 80000:
        # A date cell that lost its date format shows Excel's serial day number.
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = clean_text(value)
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                break
    raise CellError(_("日期「%(value)s」无法识别，请写成 2024-03-01。") % {"value": text[:30]})


_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "有", "对"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "无", "没有", "不是", "-"}


def to_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = clean_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(_("应填写“是”或“否”，而不是「%(value)s」。") % {"value": text[:30]})


def to_id_number(value: object) -> str:
    """A resident ID as text. Excel keeps only 15 significant digits of a number: the rest is gone."""
    if isinstance(value, float):
        # (An int came from a program that wrote the whole number: it is exact.)
        raise CellError(
            _("身份证号码被 Excel 存成了数字，后几位已丢失。请把该列设为“文本”格式后重新填写身份证号码。")
        )
    text = clean_text(value)
    if re.fullmatch(r"\d(\.\d+)?[eE]\+?\d+", text):
        raise CellError(
            _("身份证号码被 Excel 存成了科学计数法（%(value)s），后几位已丢失，请重新填写。")
            % {"value": text}
        )
    return _checked(validate_resident_id, normalise_id_number(text))


def to_mobile(value: object) -> str:
    text = clean_text(value)
    text = re.sub(r"[\s\-()（）]", "", text)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    return _checked(validate_mobile, text)


def _checked(validator: Callable[[str], None], text: str) -> str:
    """The model's own validator, run on the cell: an ID checksum or a mobile is reported on every row,
    whether or not the row could be placed in a grid (placement errors must not hide these)."""
    try:
        validator(text)
    except ValidationError as exc:
        raise CellError(from_validation_error(exc.error_list[0])) from None
    return text


# 四类人员类别 as ledgers write it: 党员, 干部, 两代表一委员 (人大代表, 政协委员), 财政供养 …; several joined
# by 、,/; "否"/"无"/blank: none.
_FOUR_CATEGORY_WORDS = (
    ("两代表一委员", "is_deputy"),
    ("人大代表", "is_deputy"),
    ("党代表", "is_deputy"),
    ("政协委员", "is_deputy"),
    ("财政供养", "is_public_payroll"),
    ("公职", "is_public_payroll"),
    ("党员", "is_party_member"),
    ("干部", "is_official"),
)


def to_four_category(value: object) -> frozenset[str]:
    """The landlord flags (is_party_member …) a 四类人员类别 cell names; empty for 否/无."""
    text = clean_text(value)
    if text.lower() in _FALSE:
        return frozenset()
    flags: set[str] = set()
    rest = text
    for word, flag in _FOUR_CATEGORY_WORDS:
        if word in rest:
            flags.add(flag)
            rest = rest.replace(word, "")
    if re.sub(r"[、,，/;；\s和及]", "", rest):
        raise CellError(
            _("四类人员类别「%(value)s」无法识别，可填：党员、干部、两代表一委员、财政供养人员，或“否”。")
            % {"value": text[:30]}
        )
    return frozenset(flags)


_RANGE = re.compile(r"(-?\d+)\s*(?:层|楼|F|f)?\s*(?:-|~|～|至|到|—|－)\s*(-?\d+)\s*(?:层|楼|F|f)?")
_ONE = re.compile(r"(-?\d+)\s*(?:层|楼|F|f)?")
WHOLE_BUILDING = ("整幢", "整栋", "全幢", "整楼")


def to_floor_range(value: object) -> tuple[int, int | None]:
    """楼层: 3, 3层, 2-4, 2~4层, 整幢 (None for the top floor: the building's floors)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value, value
    text = clean_text(value)
    if text in WHOLE_BUILDING:
        return 1, None
    match = _RANGE.fullmatch(text)
    if match:
        return int(match.group(1)), int(match.group(2))
    match = _ONE.fullmatch(text)
    if match:
        floor = int(match.group(1))
        return floor, floor
    raise CellError(_("楼层「%(value)s」无法识别，请写成 3 或 2-4。") % {"value": text[:30]})


def choice_converter(
    choices: type[models.TextChoices], synonyms: dict[str, str] | None = None
) -> Callable[[object], str]:
    """A converter for a TextChoices column: the Chinese label, the stored value or a known synonym."""
    from django.utils import translation

    with translation.override("zh-hans"):
        table = {str(label): value for value, label in choices.choices}
    table.update({value: value for value in choices.values})
    table.update(synonyms or {})
    table = {clean_text(k).lower(): v for k, v in table.items()}

    def convert(value: object) -> str:
        text = clean_text(value).lower()
        if text in table:
            return table[text]
        # The labels stay lazy: listed in the reader's language when the report is shown.
        raise CellError(
            _("「%(value)s」不是可选值，可选：%(allowed)s。")
            % {"value": text[:30], "allowed": choices.labels}
        )

    return convert
