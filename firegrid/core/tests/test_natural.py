"""Natural order keys (core/natural.py): numbers inside text compare as numbers, whatever their length."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firegrid.core.natural import natural_key

# Text between the numbers: what addresses and door labels hold around them (no digits: two numbers
# must stay two numbers).
TEXT = st.text(alphabet="号栋幢单元室楼层东西村路街-#/ ABab", max_size=4)
SEPARATOR = st.text(alphabet="号栋幢单元室楼层东西村路街-#/ ABab", min_size=1, max_size=3)
NUMBER = st.integers(min_value=0, max_value=10**15)  # past the padded width too
# A shared machine (the suite beside benchmarks) can make one draw slow: timing is not what is tested.
RELAXED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def two_numbered(draw: st.DrawFn) -> tuple[str, str, tuple[int, ...], tuple[int, ...]]:
    """Two strings that differ only in their numbers, and those numbers."""
    count = draw(st.integers(min_value=1, max_value=4))
    texts = [draw(TEXT), *(draw(SEPARATOR) for _ in range(count - 1)), draw(TEXT)]
    a = tuple(draw(NUMBER) for _ in range(count))
    b = tuple(draw(NUMBER) for _ in range(count))

    def render(numbers: tuple[int, ...]) -> str:
        return texts[0] + "".join(f"{n}{text}" for n, text in zip(numbers, texts[1:], strict=True))

    return render(a), render(b), a, b


@RELAXED
@given(two_numbered())
def test_strings_differing_only_in_numbers_order_by_the_numbers(case):
    a, b, numbers_a, numbers_b = case
    assert (natural_key(a) < natural_key(b)) == (numbers_a < numbers_b)
    assert (natural_key(a) == natural_key(b)) == (numbers_a == numbers_b)


@RELAXED
@given(st.lists(two_numbered().map(lambda case: case[0]), max_size=12))
def test_sorting_is_stable_and_sorting_again_changes_nothing(texts):
    once = sorted(texts, key=natural_key)
    assert sorted(once, key=natural_key) == once
    assert [natural_key(t) for t in texts] == [natural_key(t) for t in texts]  # the same text, the same key


def test_house_numbers_as_people_read_them():
    assert sorted(["10号", "2号", "1号", "19号", "11号"], key=natural_key) == [
        "1号",
        "2号",
        "10号",
        "11号",
        "19号",
    ]
    assert sorted(["10-1", "2-10", "2-2", "2-1"], key=natural_key) == ["2-1", "2-2", "2-10", "10-1"]
    labels = ["2单元1001室", "2单元301室", "10单元101室", "2单元1室"]
    assert sorted(labels, key=natural_key) == ["2单元1室", "2单元301室", "2单元1001室", "10单元101室"]


def test_full_width_digits_spaces_and_leading_zeros_do_not_count():
    assert natural_key("解放路１０号") == natural_key("解放路10号") == natural_key("解放路010号")
    assert natural_key(" Ａ座  3楼 ") == natural_key("A座 3楼")


def test_a_number_longer_than_the_padding_still_follows_every_shorter_one():
    numbers = [10**20, 123456789, 999999, 1000000, 7]
    assert sorted((f"{n}号" for n in numbers), key=natural_key) == [f"{n}号" for n in sorted(numbers)]


def test_chinese_numerals_are_left_as_written():
    assert natural_key("三单元") == "三单元"
