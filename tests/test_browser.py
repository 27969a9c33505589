"""Real-browser checks in Debian's chromium at phone size (390×844).

The browser, live server and page fixtures live in conftest.py so other
test modules can drive pages too. Screenshots go to
test-artifacts/screenshots/ (git-ignored) for people to look at.
"""
import re

import pytest

from app.auth.models import Role
from tests.conftest import PASSWORD, PHONE, has_horizontal_scroll, log_in_page, screenshot

pytestmark = pytest.mark.browser
ETHIOPIC = re.compile("[\u1200-\u137f]")


@pytest.mark.parametrize("lang, direction", [("en", "ltr"), ("ar", "rtl")])
def test_login_page_fits_a_phone(page, live_server, lang, direction):
    page.goto(f"{live_server}/auth/login?lang={lang}")
    screenshot(page, f"login-{lang}")
    assert not has_horizontal_scroll(page)
    assert page.get_attribute("html", "dir") == direction
    assert page.evaluate("getComputedStyle(document.body).direction") == direction
    if direction == "rtl":
        # The submit button and labels start at the right edge in RTL.
        label = page.locator("label[for=login]").bounding_box()
        assert label["x"] + label["width"] > PHONE["width"] / 2


def test_tigrinya_login_page_shows_ethiopic_text(page, live_server):
    page.goto(f"{live_server}/auth/login?lang=ti")
    screenshot(page, "login-ti")
    assert ETHIOPIC.search(page.locator("h1").inner_text())
    assert not has_horizontal_scroll(page)


def test_language_switcher_is_visible_without_opening_the_menu(page, live_server):
    page.goto(f"{live_server}/auth/login?lang=ar")
    assert page.locator("#language-menu").is_visible()
    assert not page.locator("#main-nav").is_visible()


def test_manager_logs_in_and_switches_through_all_languages(page, live_server, make_user):
    manager = make_user(Role.MANAGER, ["Aarhus"], locale="da")
    page.goto(f"{live_server}/auth/login")
    page.fill("#login", manager.email)
    page.fill("#password", PASSWORD)
    page.click("input[type=submit]")
    assert "Aarhus" in page.locator("main").inner_text()

    for lang, name, direction in [
        ("en", "English", "ltr"),
        ("ar", "العربية", "rtl"),
        ("fa", "فارسی", "rtl"),
        ("ti", "ትግርኛ", "ltr"),
        ("da", "Dansk", "ltr"),
    ]:
        page.click("#language-menu")
        page.click(f"button[name=lang][value={lang}]")
        page.wait_for_load_state()
        assert page.get_attribute("html", "lang") == lang
        assert page.get_attribute("html", "dir") == direction
        assert name in page.locator("#language-menu").inner_text()
        assert "Aarhus" in page.locator("main").inner_text()
        assert not has_horizontal_scroll(page)
        screenshot(page, f"manager-home-{lang}")


@pytest.mark.parametrize("lang, direction", [("da", "ltr"), ("ar", "rtl")])
def test_refugee_list_and_form_at_phone_width(page, live_server, make_user, make_person, lang, direction):
    manager = make_user(Role.MANAGER, ["Aarhus"], locale=lang)
    for name in ("محمد الحسن", "ሰላም ተስፋይ", "Søren Ærø", "Олена Коваленко"):
        make_person("refugee", full_name=name)
    log_in_page(page, live_server, manager)

    page.goto(f"{live_server}/people/refugees")
    assert page.get_attribute("html", "dir") == direction
    assert "ሰላም ተስፋይ" in page.locator("main").inner_text()
    assert not has_horizontal_scroll(page)
    screenshot(page, f"refugees-{lang}")

    page.goto(f"{live_server}/people/refugees/new")
    assert not has_horizontal_scroll(page)
    screenshot(page, f"refugee-form-{lang}")
    page.fill("#full_name", "فاطمة الزهراء")
    page.fill("#phone", "22 99 88 77")
    page.fill("#postcode", "8000")
    page.select_option("#languages-0-code", "ar")
    page.select_option("#languages-0-level", "5")
    page.check("input[name=interests][value=cooking]")
    page.check("#consent_matching")
    page.locator("form.people-form button.btn-primary[type=submit]").click()
    page.wait_for_load_state()
    assert "فاطمة الزهراء" in page.locator("h1").inner_text()
    assert not has_horizontal_scroll(page)
    screenshot(page, f"refugee-detail-{lang}")


def test_volunteer_application_on_a_phone_in_arabic(page, live_server):
    page.goto(f"{live_server}/volunteer?lang=ar")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator("div:has(> #website)").bounding_box()["width"] <= 1  # the honeypot stays hidden
    assert not has_horizontal_scroll(page)
    screenshot(page, "volunteer-application-ar")


def test_suggestions_and_match_in_arabic_at_phone_width(page, live_server, make_user, make_person):
    manager = make_user(Role.MANAGER, ["Aarhus"], locale="ar")
    refugee = make_person("refugee", full_name="ريم منصور", postcode="8000", languages={"ar": 5, "da": 1},
                          interests=["cooking", "football"])
    make_person("volunteer", full_name="Mette Holm", postcode="8200", languages={"da": 5, "ar": 3},
                interests=["cooking"])
    make_person("volunteer", full_name="Lars Jensen", postcode="8000", languages={"da": 5})
    log_in_page(page, live_server, manager)
    page.goto(f"{live_server}/matches/suggestions/{refugee.id}")
    assert page.get_attribute("html", "dir") == "rtl"
    assert "Mette Holm" in page.locator("main").inner_text()
    assert not has_horizontal_scroll(page)
    screenshot(page, "suggestions-ar")
    page.locator("details.mt-4 summary").click()
    page.fill("#volunteer", "Lars")
    page.locator("details.mt-4 button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.locator("label[for^=volunteer-]").inner_text().startswith("Lars Jensen")
    assert not has_horizontal_scroll(page)
    screenshot(page, "suggestions-search-ar")
    page.goto(f"{live_server}/matches/suggestions/{refugee.id}")
    page.locator("article form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "Mette Holm" in page.locator("h1").inner_text()
    assert not has_horizontal_scroll(page)
    screenshot(page, "match-ar")


@pytest.mark.parametrize("lang, direction", [("ti", "ltr"), ("ar", "rtl")])
def test_check_in_page_on_a_phone(page, live_server, make_person, make_user, lang, direction):
    from datetime import date, timedelta

    from app.extensions import db
    from app.followup.models import CheckIn
    from app.followup.services import make_token
    from app.matches import services as match_services

    refugee = make_person("refugee", full_name="ሰላም ተስፋይ", message_locale=lang, languages={"ti": 5, "ar": 3})
    volunteer = make_person("volunteer", full_name="Mette Holm", languages={"da": 5, "ar": 3})
    match = match_services.propose(refugee.id, volunteer.id, make_user(Role.MANAGER, ["Aarhus"]))
    check_in = CheckIn(match=match, side="refugee", due_on=date.today() - timedelta(days=1))
    db.session.add(check_in)
    db.session.commit()
    page.goto(f"{live_server}/check-in/{make_token(check_in)}?lang={lang}")
    assert page.get_attribute("html", "dir") == direction
    assert not has_horizontal_scroll(page)
    screenshot(page, f"check-in-{lang}")
    page.select_option("#meetings", "weekly")
    page.check("input[name=rating][value='4']")
    page.click("input[type=submit]")
    page.wait_for_load_state()
    db.session.refresh(check_in)
    assert check_in.rating == 4
