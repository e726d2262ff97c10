"""Masking of personal data (PIPL): what a viewer sees before a recorded reveal."""

import pytest

from firegrid.core.masking import MASKERS, mask_id_number, mask_mobile


def test_id_number_keeps_region_and_last_four_and_hides_birth_date():
    assert mask_id_number("330802198001011234") == "330802********1234"


def test_id_number_with_x_keeps_the_x():
    assert mask_id_number("11010519491231002X") == "110105********002X"


def test_mobile_keeps_first_three_and_last_four():
    assert mask_mobile("13812345678") == "138****5678"


@pytest.mark.parametrize("masker", [mask_id_number, mask_mobile])
@pytest.mark.parametrize("empty", ["", None])
def test_empty_value_masks_to_empty_string(masker, empty):
    assert masker(empty) == ""


@pytest.mark.parametrize("value", ["1", "12", "1234567", "3308021980"])
def test_short_id_number_never_shows_in_full(value):
    masked = mask_id_number(value)
    assert len(masked) == len(value)
    assert masked != value
    assert "*" in masked


@pytest.mark.parametrize("value", ["1", "123", "1381234"])
def test_short_mobile_is_hidden_entirely(value):
    assert mask_mobile(value) == "*" * len(value)


def test_masked_values_keep_their_length():
    assert len(mask_id_number("330802198001011234")) == 18
    assert len(mask_mobile("13812345678")) == 11


def test_maskers_cover_the_personal_fields_of_the_registry():
    from firegrid.registry.models import Landlord, TenantHousehold

    for model in (Landlord, TenantHousehold):
        assert set(model.personal_fields) <= set(MASKERS)
