"""Validators for Chinese identity data: resident ID (GB 11643-1999), mobile, coordinates."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from firegrid.core.validators import (
    id_birth_date,
    id_check_character,
    normalise_id_number,
    validate_latitude,
    validate_longitude,
    validate_mobile,
    validate_resident_id,
)
from firegrid.testing import valid_id_number

# A published GB 11643-1999 example: weights and check table give X for this number.
KNOWN_X_ID = "11010519491231002X"
FORMAT_MESSAGE = "身份证号码应为18位（最后一位可以是X）。"
CHECKSUM_MESSAGE = "身份证号码校验位不正确，请核对后重新输入。"


def refusal(validator, value) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validator(value)
    return info.value


def to_full_width(value: str) -> str:
    return value.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))


def with_wrong_check(value: str) -> str:
    wrong = next(c for c in "0123456789X" if c != value[17])
    return value[:17] + wrong


class TestResidentId:
    def test_known_id_with_x_check_character_is_accepted(self):
        assert id_check_character(KNOWN_X_ID[:17]) == "X"
        validate_resident_id(KNOWN_X_ID)

    @pytest.mark.parametrize(
        ("serial", "region", "born"),
        [
            (1, "330803", "19800101"),
            (17, "330802", "19491231"),
            (123, "110105", "20000229"),
            (999, "650102", "19000101"),
            (456, "330881", "20101010"),
        ],
    )
    def test_generated_ids_round_trip(self, serial, region, born):
        value = valid_id_number(serial, region=region, born=born)
        assert len(value) == 18
        assert value.startswith(region + born)
        assert id_birth_date(value) == dt.date(int(born[:4]), int(born[4:6]), int(born[6:]))
        validate_resident_id(value)
        # The generator and the validator agree only if the check character is right.
        assert refusal(validate_resident_id, with_wrong_check(value)).code == "id_checksum"

    def test_every_generated_id_over_a_range_of_serials_validates(self):
        endings = set()
        for serial in range(200):
            value = valid_id_number(serial)
            validate_resident_id(value)
            endings.add(value[-1])
        # The range covers the X check character, so X handling is exercised too.
        assert "X" in endings

    def test_lower_case_x_is_accepted_and_normalised(self):
        validate_resident_id(KNOWN_X_ID.lower())
        assert normalise_id_number(KNOWN_X_ID.lower()) == KNOWN_X_ID

    def test_full_width_digits_are_accepted_and_normalised(self):
        value = valid_id_number(5)
        full = to_full_width(value)
        assert full != value
        validate_resident_id(full)
        assert normalise_id_number(full) == value
        assert normalise_id_number("１１０１０５１９４９１２３１００２ｘ") == KNOWN_X_ID

    def test_spaces_are_removed_by_normalisation(self):
        assert normalise_id_number(" 110105 19491231 002x ") == KNOWN_X_ID
        assert normalise_id_number(None) == ""

    @pytest.mark.parametrize(
        "value",
        [
            "",
            "33080319800101001",  # 17 characters
            "3308031980010100111",  # 19 characters
            "33080319800101001Y",  # check character neither digit nor X
            "3308031980X101001X",  # X only allowed last
            "33080319800101",  # old length-15 style is not accepted
        ],
    )
    def test_malformed_id_gets_the_format_message(self, value):
        error = refusal(validate_resident_id, value)
        assert error.code == "id_format"
        assert error.messages == [FORMAT_MESSAGE]

    @pytest.mark.parametrize("born", ["19801340", "19800230", "19800001", "19810229", "18991231"])
    def test_impossible_birth_date_is_named_in_the_message(self, born):
        value = valid_id_number(7, born=born)  # check character right, so only the date is wrong
        error = refusal(validate_resident_id, value)
        assert error.code == "id_birth"
        assert error.messages == [f"身份证号码中的出生日期 {born} 无效。"]

    def test_future_birth_date_is_refused(self):
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        value = valid_id_number(7, born=tomorrow.strftime("%Y%m%d"))
        error = refusal(validate_resident_id, value)
        assert error.code == "id_birth"

    def test_born_today_is_accepted(self):
        validate_resident_id(valid_id_number(7, born=timezone.localdate().strftime("%Y%m%d")))

    def test_wrong_check_character_gets_the_checksum_message(self):
        error = refusal(validate_resident_id, with_wrong_check(valid_id_number(8)))
        assert error.code == "id_checksum"
        assert error.messages == [CHECKSUM_MESSAGE]

    def test_each_kind_of_mistake_has_its_own_message(self):
        messages = {
            refusal(validate_resident_id, "12345").messages[0],
            refusal(validate_resident_id, valid_id_number(1, born="19801340")).messages[0],
            refusal(validate_resident_id, with_wrong_check(valid_id_number(1))).messages[0],
        }
        assert len(messages) == 3
        assert all("身份证号码" in m for m in messages)


class TestMobile:
    @pytest.mark.parametrize("value", ["13812345678", "19912345678", "15000000000", ""])
    def test_valid_or_empty_mobile_is_accepted(self, value):
        validate_mobile(value)

    @pytest.mark.parametrize(
        "value",
        [
            "12812345678",
            "1381234567",
            "138123456789",
            "+8613812345678",
            "138-1234-567",
            "23812345678",
            "1381234567a",
        ],
    )
    def test_malformed_mobile_is_refused(self, value):
        error = refusal(validate_mobile, value)
        assert error.code == "mobile_format"
        assert error.messages == ["手机号码应为以1开头的11位数字。"]


class TestCoordinates:
    @pytest.mark.parametrize("value", [28.97, Decimal("28.970000"), 3.8, 53.6, None])
    def test_latitude_inside_china_is_accepted(self, value):
        validate_latitude(value)

    @pytest.mark.parametrize("value", [118.87, 0, -28.97, 3.79, 53.61])
    def test_latitude_outside_china_is_refused(self, value):
        error = refusal(validate_latitude, value)
        assert error.messages == [f"纬度 {value} 不在中国境内（应在 3.8 至 53.6 之间）。"]

    @pytest.mark.parametrize("value", [118.87, Decimal("118.870000"), 73.4, 135.1, None])
    def test_longitude_inside_china_is_accepted(self, value):
        validate_longitude(value)

    @pytest.mark.parametrize("value", [28.97, 0, -118.87, 73.39, 135.11])
    def test_longitude_outside_china_is_refused(self, value):
        error = refusal(validate_longitude, value)
        assert error.messages == [f"经度 {value} 不在中国境内（应在 73.4 至 135.1 之间）。"]

    def test_swapped_coordinates_are_caught(self):
        # Quzhou is at 28.97 N, 118.87 E; typed the wrong way round both values fail.
        refusal(validate_latitude, 118.87)
        refusal(validate_longitude, 28.97)
