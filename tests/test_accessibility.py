"""WCAG 2.1 A and AA checks with axe-core on the main pages, at phone width.

axe-core is vendored from the npm registry under tests/vendor/axe-core/
(version in its README.md there) and injected into each page, which is
checked in Arabic (right to left) and Tigrinya (Ethiopic script).
"""
from datetime import timedelta
from pathlib import Path

import pytest

from app.auth.models import Role
from app.extensions import db
from app.followup.models import CheckIn
from app.followup.services import make_token
from app.matches import services as match_services
from app.timeutil import today_local
from tests.conftest import log_in_page, screenshot

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
RUN_AXE = """async () => {
    const result = await axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
    });
    return result.violations.map(v => ({
        id: v.id,
        help: v.help,
        nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
    }));
}"""


def violations(page):
    """Run axe-core on the page in the browser; return its WCAG A/AA violations."""
    page.evaluate(AXE.read_text())  # from outside the page, which the Content-Security-Policy allows no script
    return page.evaluate(RUN_AXE)


def report(found):
    lines = []
    for name, items in found.items():
        for v in items:
            lines.append(f"{name}: {v['id']} ({v['help']})")
            lines += [f"    {n['target']}: {n['summary']}" for n in v["nodes"]]
    return "\n".join(lines)


@pytest.mark.parametrize("lang", ["ar", "ti"])
def test_main_pages_have_no_wcag_violations(page, live_server, make_user, make_person, lang):
    manager = make_user(Role.MANAGER, ["Aarhus"], locale=lang)
    admin = make_user(Role.ADMIN, locale=lang)
    refugee = make_person("refugee", full_name="ريم منصور", message_locale=lang, postcode="8000",
                          languages={"ar": 5, "ti": 5, "da": 1}, interests=["cooking", "football"])
    volunteer = make_person("volunteer", full_name="Mette Holm", postcode="8200",
                            languages={"da": 5, "ar": 3}, interests=["cooking"])
    waiting = make_person("refugee", full_name="ሰላም ተስፋይ", postcode="8000", languages={"ti": 5, "da": 1},
                          interests=["football"])
    make_person("volunteer", full_name="Lars Jensen", postcode="8000", languages={"da": 5, "ti": 3},
                interests=["football"])
    match = match_services.propose(refugee.id, volunteer.id, manager)
    check_in = CheckIn(match=match, side="refugee", due_on=today_local() - timedelta(days=1))
    db.session.add(check_in)
    db.session.commit()

    public = {
        "login": f"/auth/login?lang={lang}",
        "volunteer-application": f"/volunteer?lang={lang}",
        "check-in": f"/check-in/{make_token(check_in)}?lang={lang}",
    }
    managers = {
        "manager-home": "/",
        "refugee-list": "/people/refugees",
        "new-refugee": "/people/refugees/new",
        "refugee-detail": f"/people/{refugee.id}",
        "suggestions": f"/matches/suggestions/{waiting.id}",
        "matches": "/matches/",
        "batch": "/matches/batch?municipality=751",
        "erase-confirmation": f"/privacy/people/{volunteer.id}/erase",
    }
    admins = {"admin-users": "/admin/users"}

    found = {}
    for user, pages in ((None, public), (manager, managers), (admin, admins)):
        if user:
            log_in_page(page, live_server, user)
        for name, path in pages.items():
            page.goto(live_server + path)
            assert page.get_attribute("html", "lang") == lang
            screenshot(page, f"axe-{name}-{lang}")
            if items := violations(page):
                found[name] = items
    assert not found, report(found)
