"""Lists typed with any script's comma, and lists shown in the viewer's language."""
import pytest
from markupsafe import Markup
import sqlalchemy as sa
from flask_babel import force_locale

from app.auth.models import Role
from app.extensions import db
from app.i18n.lists import format_list, format_list_html, split_list
from app.i18n.names import interest_name
from app.matches.reasons import describe
from app.matching.scoring import Reason
from app.people.columns import read_languages, read_list
from app.people.models import AVAILABILITY_TITLES, Refugee
from app.timeutil import today_local
from tests.test_people import form_data

#: Latin, Arabic (and Persian) and Ethiopic commas and semicolons.
SEPARATORS = [",", ";", "\u060c", "\u061b", "\u1363", "\u1364"]


@pytest.mark.parametrize("sep", SEPARATORS)
def test_typed_lists_split_at_every_scripts_comma(sep):
    assert split_list(f"football{sep} طبخ {sep}{sep}ሹራብ ") == ["football", "طبخ", "ሹራብ"]


@pytest.mark.parametrize("sep", SEPARATORS)
def test_import_columns_split_at_every_scripts_comma(sep):
    assert read_list(f"fodbold{sep} strikning") == ["fodbold", "strikning"]
    assert read_languages(f"ar:5{sep} da:2") == {"ar": 5, "da": 2}


@pytest.mark.parametrize("sep", ["\u060c", "\u1363"])
def test_person_form_splits_interests_and_childrens_years(client, login_as, sep):
    login_as(Role.MANAGER, ["Aarhus"], locale="ar")
    year = today_local().year
    response = client.post("/people/refugees/new", data=form_data(
        interests=[], other_interests=f"الحياكة{sep} الطبخ", children_birth_years=f"{year - 8}{sep} {year - 3}",
    ))
    assert response.status_code == 302
    refugee = db.session.scalars(sa.select(Refugee)).one()
    assert set(refugee.interest_keys) == {"knitting", "cooking"}
    assert sorted(c.birth_year for c in refugee.household_children) == [year - 8, year - 3]


def test_lists_are_joined_in_the_viewers_language(app):
    with app.test_request_context():
        with force_locale("ar"):
            assert format_list(["الطبخ", "الحياكة", "كرة القدم"]) == "الطبخ والحياكة وكرة القدم"
            reason = Reason("shared_availability", {"slots": ["weekday_evening", "weekend"]})
            slots = [str(AVAILABILITY_TITLES[s]) for s in ("weekday_evening", "weekend")]
            assert f"{slots[0]} و{slots[1]}" in describe(reason, "ar", interest_name)
        with force_locale("da"):
            assert format_list([2015, 2019, 2020]) == "2015, 2019 og 2020"


def test_templates_join_text_escaped_and_markup_kept(app):
    with app.test_request_context(), force_locale("en"):
        joined = format_list_html(["Tom & Jerry", Markup('<span dir="auto">ريم</span>')])
    assert joined == 'Tom &amp; Jerry and <span dir="auto">ريم</span>'


def test_person_page_lists_slots_and_family_in_the_viewers_language(client, login_as, make_person):
    login_as(Role.MANAGER, ["Aarhus"], locale="ar")
    volunteer = make_person("volunteer", available_weekday_evening=True, available_weekend=True,
                            family_members=[("Ida <3", 2012), ("Bo", None)])
    page = client.get(f"/people/{volunteer.id}").get_data(as_text=True)
    with force_locale("ar"):
        slots = [str(AVAILABILITY_TITLES[s]) for s in ("weekday_evening", "weekend")]
    assert f"{slots[0]} و{slots[1]}" in page
    assert '<span dir="auto">Ida &lt;3</span> (2012) و<span dir="auto">Bo</span>' in page
