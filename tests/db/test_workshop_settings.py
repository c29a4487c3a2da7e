"""A workshop's settings are declared once (``WorkshopSettings``): the table's columns, the create
form's fields and the checks share their bounds, and a refusal names the setting and its range."""

from __future__ import annotations

import pytest
from sqlalchemy import Integer

from workshop import services
from workshop.db.models import CHECK_ORDER, Workshop, WorkshopSettings
from workshop.rules.errors import InvalidInput
from workshop.rules.limits import MAX_MINUTES, MIN_MINUTES

BOUNDS = {
    "picks_min": (1, 10, 4),
    "picks_max": (1, 10, 5),
    "notes_min": (1, 8, 3),
    "notes_max": (1, 8, 4),
    "ideas_max": (1, 8, 3),
    "votes_per_person": (1, 10, 1),
    "cap_per_option": (1, 10, 1),
    "pick_minutes": (MIN_MINUTES, MAX_MINUTES, 7),
    "write_minutes": (MIN_MINUTES, MAX_MINUTES, 10),
    "ideas_minutes": (MIN_MINUTES, MAX_MINUTES, 10),
    "vote_minutes": (MIN_MINUTES, MAX_MINUTES, 3),
}


def test_the_services_settings_are_the_declared_ones() -> None:
    assert services.Settings is WorkshopSettings
    assert set(WorkshopSettings.setting_names()) == set(CHECK_ORDER) == set(BOUNDS)


@pytest.mark.parametrize("name", sorted(BOUNDS))
def test_each_setting_has_its_bounds_and_default(name: str) -> None:
    low, high, default = BOUNDS[name]
    assert WorkshopSettings.bounds(name) == (low, high)
    assert WorkshopSettings.default(name) == default
    assert getattr(WorkshopSettings(), name) == default


@pytest.mark.parametrize("name", sorted(BOUNDS))
def test_the_workshop_table_keeps_each_setting_as_a_whole_number_column(name: str) -> None:
    column = Workshop.__table__.columns[name]
    assert isinstance(column.type, Integer)
    assert column.nullable is False
    assert getattr(Workshop(), name) == BOUNDS[name][2]


@pytest.mark.parametrize("name", sorted(BOUNDS))
@pytest.mark.parametrize("side", ["below", "above"])
def test_a_setting_out_of_its_bounds_is_refused_with_the_range(name: str, side: str) -> None:
    low, high, _default = BOUNDS[name]
    with pytest.raises(InvalidInput) as refused:
        WorkshopSettings(**{name: low - 1 if side == "below" else high + 1})
    assert refused.value.key == "error.setting_range"
    assert refused.value.args_dict == {"field": name, "low": low, "high": high}


@pytest.mark.parametrize("value", [True, 2.0, "3", None])
def test_a_setting_is_a_whole_number(value: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        WorkshopSettings(votes_per_person=value)
    assert refused.value.args_dict["field"] == "votes_per_person"


def test_of_several_refusals_the_first_checked_is_named() -> None:
    with pytest.raises(InvalidInput) as refused:
        WorkshopSettings(picks_min=0, picks_max=11, vote_minutes=0)
    assert refused.value.args_dict == {"field": "picks_max", "low": 1, "high": 10}


def test_what_depends_on_the_others_and_the_map_is_checked_by_validated() -> None:
    settings = WorkshopSettings(picks_min=5, picks_max=8)
    with pytest.raises(InvalidInput) as refused:
        settings.validated(trend_count=6)
    assert refused.value.args_dict == {"field": "picks_max", "low": 1, "high": 6}
    assert settings.validated(trend_count=8) == settings
    with pytest.raises(InvalidInput) as refused:
        WorkshopSettings(votes_per_person=3, cap_per_option=4).validated(trend_count=20)
    assert refused.value.args_dict == {"field": "cap_per_option", "low": 1, "high": 3}
