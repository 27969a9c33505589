"""The privacy pages on a phone in Arabic and Tigrinya: a person's audit log, the export's reason, erasure, the erased page."""
import pytest
from flask_babel import force_locale, gettext, ngettext

from app.audit.models import AuditEntry
from app.auth.models import Role
from app.extensions import db
from tests.conftest import has_horizontal_scroll, log_in_page, screenshot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["ar", "ti"])
def test_audit_log_export_reason_and_erasure_fit_a_phone(page, live_server, make_user, make_person, lang):
    manager = make_user(Role.MANAGER, ["Aarhus"], locale=lang)
    person = make_person("refugee", full_name="محمد الحسن عبد الرحمن", email="m@example.org", phone="+4520304050",
                         languages={"ar": 5, "da": 2})
    db.session.commit()
    log_in_page(page, live_server, manager)
    page.goto(f"{live_server}/people/{person.id}")  # a view the log then shows
    pages = {
        "audit-log": f"/people/{person.id}/audit",
        "export-reason": "/people/refugees/export.csv",
        "erase": f"/privacy/people/{person.id}/erase",
    }
    for name, path in pages.items():
        page.goto(f"{live_server}{path}")
        assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
        assert not has_horizontal_scroll(page), name
        screenshot(page, f"privacy-{name}-{lang}")
    # The erase page asks for a reason before anything happens, in the user's language.
    page.fill("textarea[name=reason]", "طلب الشخص ذلك" if lang == "ar" else "ሰብኣይ ሓቲቱ")
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_load_state()
    content = page.content()
    assert person.full_name not in content
    # The erased person's page: the erasure in the user's language, and no waiting time.
    with force_locale(lang):
        assert gettext("Personal data erased.") in content
        assert ngettext("%(num)d day waiting", "%(num)d days waiting", 0) not in content
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert not has_horizontal_scroll(page)
    screenshot(page, f"privacy-erased-{lang}")
    assert db.session.query(AuditEntry).filter_by(person_id=person.id, action="erased").count() == 1
