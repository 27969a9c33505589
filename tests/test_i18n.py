import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from flask_babel import force_locale, format_datetime, gettext, ngettext

from app.auth.models import Role
from app.extensions import db
from tests.conftest import html_root

LOCALES = {"da": "ltr", "en": "ltr", "ar": "rtl", "fa": "rtl", "ti": "ltr"}
CATALOGS = sorted(Path(__file__).resolve().parent.parent.glob("translations/*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def title_of(response):
    return re.search(r"<title>(.*?)</title>", response.get_data(as_text=True), re.S).group(1)


@pytest.mark.parametrize("code, direction", LOCALES.items())
def test_login_page_in_each_language(client, code, direction):
    response = client.get(f"/auth/login?lang={code}")
    assert html_root(response) == (code, direction)
    with force_locale(code):
        expected = gettext("Log in")
    assert title_of(response).startswith(expected)
    if code != "en":
        assert expected != "Log in", f"'Log in' is not translated into {code}"


def test_switcher_names_each_language_in_its_own_script(client):
    page = client.get("/auth/login").get_data(as_text=True)
    for name in ("Dansk", "English", "العربية", "فارسی", "ትግርኛ"):
        assert name in page


def test_danish_is_the_default(client):
    assert html_root(client.get("/auth/login")) == ("da", "ltr")


def test_browser_language_is_used_when_nothing_else_is_chosen(client):
    response = client.get("/auth/login", headers={"Accept-Language": "fa-IR,fa;q=0.9,en;q=0.5"})
    assert html_root(response) == ("fa", "rtl")
    response = client.get("/auth/login", headers={"Accept-Language": "sv-SE,de;q=0.8"})
    assert html_root(response) == ("da", "ltr")


def test_lang_parameter_is_remembered_in_a_cookie(client):
    client.get("/auth/login?lang=ti")
    response = client.get("/auth/login", headers={"Accept-Language": "en"})
    assert html_root(response) == ("ti", "ltr")


def test_unknown_language_falls_back(client):
    assert html_root(client.get("/auth/login?lang=xx")) == ("da", "ltr")


def test_switcher_sets_the_language_for_visitors(client):
    response = client.post("/language", data={"lang": "ar", "next": "/auth/login?lang=da"})
    assert response.headers["Location"] == "/auth/login"
    assert html_root(client.get("/auth/login")) == ("ar", "rtl")


def test_saved_language_of_a_user_wins_and_the_switcher_saves_it(client, login_as):
    user = login_as(Role.MANAGER, ["Aarhus"], locale="fa")
    assert html_root(client.get("/?lang=da")) == ("fa", "rtl")
    client.post("/language", data={"lang": "ti", "next": "/"})
    db.session.refresh(user)
    assert user.locale == "ti"
    assert html_root(client.get("/")) == ("ti", "ltr")


def test_switcher_refuses_unknown_languages(client):
    assert client.post("/language", data={"lang": "xx"}).status_code == 400


def test_dates_are_shown_in_copenhagen_time_in_the_users_locale(app):
    summer_noon_utc = datetime(2026, 7, 1, 10, 0, tzinfo=timezone.utc)
    with app.test_request_context():
        with force_locale("da"):
            assert "12.00" in format_datetime(summer_noon_utc, "short")
        with force_locale("en"):
            assert "12:00" in format_datetime(summer_noon_utc, "short")


def test_a_wrong_method_is_explained_in_the_viewers_language(app, client):
    response = client.put("/auth/login?lang=ti")
    assert response.status_code == 405
    page = response.get_data(as_text=True)
    with app.test_request_context(), force_locale("ti"):
        assert gettext("This page cannot be used that way") in page
    assert "Method Not Allowed" not in page


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.parts[-3])
def test_catalog_is_complete(path):
    with open(path, "rb") as f:
        catalog = read_po(f)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if "fuzzy" in message.flags:
            problems.append(f"fuzzy: {ids[0]}")
        for string in strings:
            if not string:
                problems.append(f"untranslated: {ids[0]}")
            elif not set(PLACEHOLDER.findall(string)) <= set(PLACEHOLDER.findall(" ".join(ids))):
                problems.append(f"placeholder changed: {ids[0]} -> {string}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.parts[-3])
def test_plural_forms_follow_babels_cldr_data(path):
    """The header decides which msgstr[n] gettext picks; a wrong one picks wrong words."""
    with open(path, "rb") as f:
        catalog = read_po(f)
    cldr = get_plural(path.parts[-3])
    assert (catalog.num_plurals, catalog.plural_expr) == (cldr.num_plurals, cldr.plural_expr)
    wrong = [m.id[0] for m in catalog if m.pluralizable and len(m.string) != cldr.num_plurals]
    assert not wrong, f"not {cldr.num_plurals} forms: {wrong}"


def test_arabic_counts_take_their_own_forms(app):
    with app.test_request_context(), force_locale("ar"):
        days = [ngettext("%(num)d day", "%(num)d days", n) for n in (2, 3, 11, 100)]
    assert days == ["2 يومان", "3 أيام", "11 يومًا", "100 يوم"]


@pytest.mark.parametrize(
    "code, avoided, agreed",
    [
        ("fa", "شهرداری", "کمون"),  # a municipality, not its city hall
        ("ti", "እንደገና ፈትኑ", "ደጊምኩም ፈትኑ"),
        ("da", "Længst ventetid", "Længste ventetid"),
    ],
)
def test_catalogs_use_the_agreed_terms(code, avoided, agreed):
    text = next(p for p in CATALOGS if p.parts[-3] == code).read_text(encoding="utf-8")
    assert avoided not in text and agreed in text


def test_all_five_catalogs_exist():
    assert sorted(p.parts[-3] for p in CATALOGS) == sorted(LOCALES)


def test_catalogs_hold_every_string_in_the_code(tmp_path):
    """Fail when a string was added to the code but not to the catalogs."""
    import subprocess
    import sys

    root = CATALOGS[0].parents[3]
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "--quiet", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "-k", "N_plural:1,2", "-o", str(pot), "."],
        cwd=root, check=True,
    )
    with open(pot, "rb") as f:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    for path in CATALOGS:
        with open(path, "rb") as f:
            have = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
        assert wanted <= have, f"{path.parts[-3]} lacks {sorted(wanted - have)}: run make extract-messages"
