"""Every validation message in the viewer's language, the form library's own included."""
import html
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
import wtforms
from babel.messages.pofile import read_po
from flask_babel import force_locale, gettext, ngettext

import app as app_package
from app.auth.models import Role
from app.forms import FlaskForm, Form
from app.i18n.form_messages import MESSAGES

LOCALES = ["da", "en", "ar", "fa", "ti"]
ENGLISH_CATALOG = Path(__file__).resolve().parent.parent / "translations/en/LC_MESSAGES/messages.po"
ERROR_TEXT = re.compile(r'class="invalid-feedback[^"]*">(.*?)</div>', re.S)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%s|\{\w+\}")


def english_sentences():
    """Return a regex per English sentence in our catalog and WTForms' messages."""
    with open(ENGLISH_CATALOG, "rb") as f:
        ids = [m.id for m in read_po(f) if m.id]
    ids += list(MESSAGES)
    texts = {t for i in ids for t in (i if isinstance(i, tuple) else (i,))}
    sentences = [t for t in texts if t.endswith(".") and " " in t]
    return [
        re.compile(".+?".join(re.escape(part) for part in PLACEHOLDER.split(t))) for t in sentences
    ]


ENGLISH = english_sentences()


def error_texts(response):
    page = response.get_data(as_text=True)
    return [html.unescape(e).strip() for e in ERROR_TEXT.findall(page)]


def wtforms_messages(code):
    """Return WTForms' own messages the bad values below provoke, in language `code`."""
    with force_locale(code):
        return [
            gettext("This field is required."),
            gettext("Not a valid integer value."),
            gettext("Not a valid choice."),
            gettext("Invalid Choice: could not coerce."),
            ngettext("Field cannot be longer than %(max)d character.",
                     "Field cannot be longer than %(max)d characters.", 200, max=200),
        ]


def assert_in_language(response, code, expected):
    assert response.status_code == 200
    errors = error_texts(response)
    assert errors, "the bad values were accepted"
    shown = " ".join(errors)
    missing = [message for message in expected if message not in shown]
    assert not missing, f"{code}: {missing} not among {errors}"
    if code != "en":
        english = [(e, p.pattern) for e in errors for p in ENGLISH if p.search(e)]
        assert not english, f"English on a {code} page: {english}"


@pytest.mark.parametrize("code", LOCALES)
def test_volunteer_application_errors_in_each_language(app, client, code):
    bad = {
        "full_name": "x" * 201,
        "email": "not-an-email",
        "birth_year": "nineteen-ninety",
        "gender": "zz",
        "postcode": "",
        "message_locale": "xx",
        "languages-0-code": "da",
        "languages-0-level": "5",
        "capacity": "many",
        "max_distance_km": "999",
        "website": "",
    }
    response = client.post(f"/volunteer?lang={code}", data=bad)
    with app.test_request_context(), force_locale(code):
        expected = wtforms_messages(code) + [
            gettext("Number must be between %(min)s and %(max)s.") % {"min": 0, "max": 300},
            gettext("Enter a valid e-mail address, e.g. name@example.dk."),
        ]
    assert_in_language(response, code, expected)


@pytest.mark.parametrize("code", LOCALES)
@pytest.mark.parametrize("plural", ["refugees", "volunteers"])
def test_person_form_errors_in_each_language(app, client, login_as, code, plural):
    login_as(Role.MANAGER, ["Aarhus"], locale=code)
    bad = {
        "full_name": "x" * 201,
        "email": "not-an-email",
        "birth_year": "abc",
        "gender": "zz",
        "message_locale": "da",
        "municipality_code": "abc",
        "languages-0-code": "da",
        "languages-0-level": "5",
        "arrived_on": "2025-13-45",
        "household_adults": "99",
        "capacity": "1",
        "child_certificate_on": "yesterday",
        "max_distance_km": "999",
        "consent_method": "paper",
        "age_min": "200",
    }
    response = client.post(f"/people/{plural}/new", data=bad)
    with app.test_request_context(), force_locale(code):
        expected = wtforms_messages(code)[1:] + [
            gettext("Not a valid date value."),
            gettext("Number must be between %(min)s and %(max)s.") % (
                {"min": 1, "max": 20} if plural == "refugees" else {"min": 0, "max": 300}
            ),
            gettext("Number must be between %(min)s and %(max)s.") % {"min": 0, "max": 120},
        ]
    assert_in_language(response, code, expected)


def test_an_expired_form_is_explained_in_the_viewers_language(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post("/volunteer?lang=ti", data={"full_name": "Ida"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    with app.test_request_context(), force_locale("ti"):
        assert gettext("The form had expired") in page
    assert "CSRF" not in page


def app_form_classes():
    """Import every module of the app and return the form classes defined in it."""
    for module in pkgutil.walk_packages(app_package.__path__, "app."):
        importlib.import_module(module.name)
    found, todo = set(), [wtforms.Form]
    while todo:
        for cls in todo.pop().__subclasses__():
            todo.append(cls)
            if cls.__module__.startswith("app."):
                found.add(cls)
    return found


def test_every_form_takes_its_messages_from_our_catalogs():
    """A form built on WTForms' or Flask-WTF's class directly would speak English."""
    forms = app_form_classes()
    assert len(forms) > 20
    stray = [cls.__qualname__ for cls in forms if not issubclass(cls, (FlaskForm, Form))]
    assert not stray, f"derive these from app.forms.FlaskForm or Form: {stray}"


def test_every_message_of_wtforms_is_marked_for_our_catalogs():
    """After a WTForms upgrade, a new message of its own must be added to form_messages."""
    pot = Path(inspect.getfile(wtforms)).parent / "locale" / "wtforms.pot"
    with open(pot, "rb") as f:
        theirs = {m.id for m in read_po(f) if m.id}
    assert theirs <= set(MESSAGES)
