"""A correction's reason names the corrected rule: stored in Chinese whatever the officer's language, shown in
the reader's (the rule's name translated too)."""

from __future__ import annotations

import pytest
from django.utils import translation

from firegrid.points import services
from firegrid.points.choices import PointsRule

from .scene import TODAY, give

pytestmark = pytest.mark.django_db


def test_a_correction_made_in_english_names_the_rule_in_the_readers_language(district, personas):
    wrong = give(district.landlord_a, -10, rule=PointsRule.ENFORCEMENT)
    with translation.override("en"):
        correction = services.add_manual_entry(
            district.landlord_a,
            PointsRule.CORRECTION,
            actor=personas.subdistrict_officer,
            occurred_on=TODAY,
            amount_typed=10,
            note="执法决定已撤销",
            source=wrong,
        )
    assert correction.reason_params["rule"] == "转入执法"
    assert "“转入执法”" in correction.reason and "Refer" not in correction.reason
    assert "“转入执法”" in correction.reason_text
    with translation.override("en"):
        shown = correction.reason_text
    assert "“Refer for enforcement”" in shown and "转入执法" not in shown
