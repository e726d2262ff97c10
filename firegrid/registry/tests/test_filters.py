"""The registry lists' `survey` filters: offered by the lists, defined by inspections (handed in at ready)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from firegrid.inspections import coverage
from firegrid.registry.filters import (
    SURVEY_FILTERS,
    BuildingFilterSet,
    PremisesFilterSet,
    RoomFilterSet,
    register_survey_filters,
)


def test_inspections_hands_every_list_its_survey_filters():
    assert SURVEY_FILTERS == {
        "registry.building": coverage.BUILDING_SURVEY,
        "registry.premises": coverage.PREMISES_SURVEY,
        "registry.room": coverage.ROOM_SURVEY,
    }
    for filterset in (BuildingFilterSet, PremisesFilterSet, RoomFilterSet):
        offered = [value for value, _label in filterset.base_filters["survey"].extra["choices"]]
        assert set(offered) == set(SURVEY_FILTERS[filterset._meta.model._meta.label_lower])


def test_survey_filters_that_do_not_match_the_offered_values_are_refused():
    with pytest.raises(ImproperlyConfigured, match="covered"):
        register_survey_filters(PremisesFilterSet, {"covered": lambda qs: qs})
    assert SURVEY_FILTERS["registry.premises"] == coverage.PREMISES_SURVEY
