"""Issue #11 on a phone: the people, matches and batch lists become stacked cards below 576 px."""
import pytest

from app.auth.models import Role
from app.matches import services as match_services
from app.extensions import db
from tests.conftest import PHONE, has_horizontal_scroll, log_in_page, screenshot

pytestmark = pytest.mark.browser


def inside_the_screen(page, selector):
    """Whether every element matching `selector` is wholly within the phone's width."""
    boxes = [page.locator(selector).nth(i).bounding_box() for i in range(page.locator(selector).count())]
    return boxes and all(0 <= box["x"] and box["x"] + box["width"] <= PHONE["width"] for box in boxes)


@pytest.mark.parametrize("lang", ["ar", "ti"])
def test_lists_become_cards_on_a_phone(page, live_server, make_user, make_person, lang):
    manager = make_user(Role.MANAGER, ["Aarhus"], locale=lang)
    names = ["محمد الحسن عبد الرحمن", "ሰላም ተስፋይ ገብረመድህን", "Mohammed Al-Hassan", "Mohammed Al-Hassan"]
    refugees = [make_person("refugee", full_name=name, postcode="8000", birth_year=1980 + n,
                            languages={"ar": 5, "ti": 4, "da": 1}, interests=["cooking"])
                for n, name in enumerate(names)]
    volunteers = [make_person("volunteer", full_name=f"Volunteer Friend Number {n}", postcode="8000",
                              languages={"ar": 4, "ti": 3, "da": 5}, interests=["cooking"]) for n in range(3)]
    match_services.propose(refugees[0].id, volunteers[0].id, manager)
    db.session.commit()
    log_in_page(page, live_server, manager)
    for name, path, badge in (("people", "/people/refugees", "td .badge"),
                              ("waiting", "/people/waiting", "td .btn"),
                              ("matches", "/matches/", "td"),
                              ("batch", "/matches/batch?municipality=751", "td.small")):
        page.goto(live_server + path)
        assert page.get_attribute("html", "lang") == lang
        assert not has_horizontal_scroll(page), name
        assert page.locator("table.table-stack thead").bounding_box()["width"] <= 1, name
        assert inside_the_screen(page, f"table.table-stack {badge}"), name
        screenshot(page, f"cards-{name}-{lang}")
    page.set_viewport_size({"width": 1280, "height": 900})
    for name, path in (("people", "/people/refugees"), ("matches", "/matches/"),
                       ("batch", "/matches/batch?municipality=751")):
        page.goto(live_server + path)
        assert page.locator("table.table-stack thead").bounding_box()["width"] > 100
        screenshot(page, f"desktop-{name}-{lang}")


def test_duplicate_check_and_applicant_warning_on_a_phone_in_arabic(page, live_server, make_user, make_person):
    manager = make_user(Role.MANAGER, ["Aarhus"], locale="ar")
    known = make_person("refugee", full_name="Mohammed Al-Hassan", birth_year=1990, postcode="8000")
    first = make_person("volunteer", full_name="Ida Nielsen", email="ida@example.org", phone="+4522334455")
    again = make_person("volunteer", status="applicant", full_name="Ida Nielsen", email="ida@example.org",
                        phone="+4522334455")
    log_in_page(page, live_server, manager)
    page.goto(f"{live_server}/people/refugees/new")
    page.fill("#full_name", "Mohamad Al-Hasan")
    page.click("button[name=check_duplicates]")
    page.wait_for_load_state()
    assert page.locator(f"#duplicates a[href='/people/{known.id}']").count() == 1
    assert page.input_value("#full_name") == "Mohamad Al-Hasan"
    assert not has_horizontal_scroll(page)
    screenshot(page, "duplicate-check-ar")
    page.goto(f"{live_server}/people/{again.id}")
    assert page.locator(f"#duplicates a[href='/people/{first.id}']").count() == 1
    assert not has_horizontal_scroll(page)
    screenshot(page, "applicant-duplicate-ar")
