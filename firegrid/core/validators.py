"""Validators for Chinese identity data, with messages in the user's language."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_FULL_WIDTH = str.maketrans("０１２３４５６７８９ｘＸ", "0123456789XX")


def normalise_id_number(value: str) -> str:
    """Upper-case X, half-width digits, no spaces: the form stored and checked."""
    return (value or "").translate(_FULL_WIDTH).replace(" ", "").strip().upper()


def id_check_character(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_birth_date(value: str) -> dt.date | None:
    try:
        return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def validate_resident_id(value: str) -> None:
    """Resident identity number per GB 11643-1999: 18 characters, a real birth date, a valid check digit."""
    value = normalise_id_number(value)
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise ValidationError(_("身份证号码应为18位（最后一位可以是X）。"), code="id_format")
    born = id_birth_date(value)
    today = timezone.localdate()
    if born is None or born.year < 1900 or born > today:
        raise ValidationError(
            _("身份证号码中的出生日期 %(date)s 无效。"), code="id_birth", params={"date": value[6:14]}
        )
    if id_check_character(value[:17]) != value[17]:
        raise ValidationError(_("身份证号码校验位不正确，请核对后重新输入。"), code="id_checksum")


def validate_mobile(value: str) -> None:
    if value and not re.fullmatch(r"1[3-9]\d{9}", value):
        raise ValidationError(_("手机号码应为以1开头的11位数字。"), code="mobile_format")


# China's extent, generously rounded: a point outside it is a typo or swapped latitude/longitude.
CHINA_LAT = (3.8, 53.6)
CHINA_LNG = (73.4, 135.1)


def validate_latitude(value: Decimal | float | None) -> None:
    if value is not None and not (CHINA_LAT[0] <= float(value) <= CHINA_LAT[1]):
        raise ValidationError(
            _("纬度 %(value)s 不在中国境内（应在 3.8 至 53.6 之间）。"), params={"value": value}
        )


def validate_longitude(value: Decimal | float | None) -> None:
    if value is not None and not (CHINA_LNG[0] <= float(value) <= CHINA_LNG[1]):
        raise ValidationError(
            _("经度 %(value)s 不在中国境内（应在 73.4 至 135.1 之间）。"), params={"value": value}
        )
