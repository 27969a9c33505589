"""The dashboard and map in chromium: desktop in Danish and Farsi, a phone in Arabic; axe-core clean."""
import random

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.extensions import db
from app.municipalities.models import Municipality
from app.people.models import Refugee, Volunteer
from tests.conftest import PHONE, has_horizontal_scroll, log_in_page, screenshot
from tests.test_accessibility import report, violations
from tests.test_coverage import friendship, person, sign

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def national_programme(app):
    """Agreements in most municipalities, friendships and waiting refugees across the country."""
    rng = random.Random(10)
    for code in db.session.scalars(sa.select(Municipality.code)):
        roll = rng.random()
        if roll < 0.85:
            sign(code)
            for _ in range(rng.randint(0, 8)):
                friendship(code, activated_days_ago=rng.randint(1, 700))
        elif roll < 0.95:
            sign(code, status="in_dialogue")
        for _ in range(rng.randint(0, 9)):
            person(Refugee, code, "waiting", statistics=True, languages=[(rng.choice(("ar", "ti", "fa", "uk")), 5)])
        for _ in range(rng.randint(0, 3)):
            person(Volunteer, code, "available", capacity=2, consents_to_matching=True, languages=[("da", 5)])
    db.session.commit()


@pytest.mark.parametrize("lang, viewport", [("da", DESKTOP), ("fa", DESKTOP), ("ar", PHONE)])
def test_dashboard_and_map(new_page, live_server, make_user, national_programme, lang, viewport):
    page = new_page(viewport=viewport)
    log_in_page(page, live_server, make_user(Role.HEAD_OFFICE, locale=lang))
    found = {}
    for name, path in (("dashboard", "/stats/"), ("map-waiting", "/stats/?figure=refugees_waiting"),
                       ("municipality", "/stats/municipality/751")):
        page.goto(live_server + path)
        assert page.get_attribute("html", "lang") == lang
        screenshot(page, f"coverage-{name}-{lang}-{viewport['width']}")
        assert not has_horizontal_scroll(page), name
        if items := violations(page):
            found[name] = items
    assert not found, report(found)

    page.goto(f"{live_server}/stats/")
    box = page.locator("svg.coverage-map").bounding_box()
    assert 0 < box["width"] <= viewport["width"] and box["height"] > box["width"]
    # Copenhagen lies east of Esbjerg whatever the page's direction: the map is not mirrored.
    east = page.locator("svg.coverage-map a[href$='/municipality/101'] path").bounding_box()
    west = page.locator("svg.coverage-map a[href$='/municipality/561'] path").bounding_box()
    assert east["x"] > west["x"]
    page.click("svg.coverage-map a[href$='/municipality/751']")
    assert page.url.endswith("/stats/municipality/751")


@pytest.mark.parametrize("lang", ["da", "ar"])
def test_agreement_pages(page, live_server, make_user, lang):
    manager = make_user(Role.MANAGER, ["Aarhus"], locale=lang)
    sign(751)
    db.session.commit()
    log_in_page(page, live_server, manager)
    found = {}
    agreement_id = db.session.scalar(sa.text("SELECT id FROM agreement"))
    for name, path in (("list", "/agreements/"), ("detail", f"/agreements/{agreement_id}"),
                       ("edit", f"/agreements/{agreement_id}/edit")):
        page.goto(live_server + path)
        screenshot(page, f"agreements-{name}-{lang}")
        assert not has_horizontal_scroll(page), name
        if items := violations(page):
            found[name] = items
    assert not found, report(found)
