"""Public pages are light on a phone's first visit: no script, at most 150 KB on the wire.

Compression is the app's own (Flask-Compress), so the test's live server
sends what gunicorn would. The menus are <details>, which open without
JavaScript.
"""
import pytest

from app.auth.models import Role
from tests.conftest import PASSWORD, has_horizontal_scroll, screenshot

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 360, "height": 780}
BUDGET = 150 * 1024
PUBLIC_PAGES = ["/", "/auth/login", "/volunteer"]

#: Bytes each response took on the wire; encodedBodySize where transferSize is not reported.
BYTES_ON_THE_WIRE = """() =>
  [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
    .map(entry => ({name: entry.name, bytes: Math.max(entry.transferSize, entry.encodedBodySize)}))
"""


@pytest.fixture
def small_phone(new_page):
    """A fresh context (empty cache) at 360 px."""
    return new_page(viewport=SMALL_PHONE)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_first_load_of_a_public_page_weighs_at_most_150_kb(small_phone, live_server, path):
    small_phone.goto(f"{live_server}{path}")
    small_phone.wait_for_load_state("load")
    entries = small_phone.evaluate(BYTES_ON_THE_WIRE)
    total = sum(entry["bytes"] for entry in entries)
    assert all(entry["bytes"] > 0 for entry in entries), entries
    assert total <= BUDGET, entries
    assert small_phone.evaluate("document.scripts.length") == 0


@pytest.mark.parametrize("lang", ["ar", "ti"])
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_at_360_px(small_phone, live_server, path, lang):
    small_phone.goto(f"{live_server}{path}?lang={lang}")
    screenshot(small_phone, f"public-360-{lang}{path.replace('/', '-').rstrip('-')}")
    assert not has_horizontal_scroll(small_phone)
    assert not small_phone.locator("#main-nav").is_visible()

    small_phone.click(".navbar-toggler")
    assert small_phone.locator("#main-nav a[href$='/auth/login']").is_visible()
    small_phone.click("#language-menu")
    assert small_phone.locator("#language-options [lang=da]").is_visible()
    screenshot(small_phone, f"public-360-{lang}{path.replace('/', '-').rstrip('-')}-menus-open")
    assert not has_horizontal_scroll(small_phone)


def test_menus_open_without_javascript_on_a_wide_screen(new_page, live_server, make_user):
    manager = make_user(Role.MANAGER, ["Aarhus"], locale="en")
    page = new_page(viewport={"width": 1280, "height": 800}, java_script_enabled=False)
    page.goto(f"{live_server}/auth/login")
    page.fill("#login", manager.email)
    page.fill("#password", PASSWORD)
    page.click("input[type=submit]")

    page.goto(f"{live_server}/people/refugees")
    assert page.locator("#main-nav").is_visible()
    assert not page.locator(".navbar-toggler").is_visible()
    assert page.locator("#people-filters").is_visible()
    page.click("summary:has-text('Export')")
    assert page.locator(".dropdown-item:text-is('CSV')").is_visible()
    page.click(f"summary:has-text('{manager.full_name}')")
    assert page.locator("button:has-text('Log out')").is_visible()
    screenshot(page, "wide-menus-open")
