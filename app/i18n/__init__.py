"""Languages of the user interface: choosing one, its direction, its name."""
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from babel import Locale
from flask import current_app, has_request_context, request
from flask_babel import get_locale, get_translations
from flask_login import current_user
from jinja2.ext import _make_new_gettext, _make_new_ngettext

from app.extensions import babel

#: Cookie that remembers the language of a visitor who is not logged in.
LANGUAGE_COOKIE = "lang"
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600


@lru_cache(maxsize=64)
def language_name(code):
    """Return a language's name in its own script ("Dansk", "العربية"), looked up once per process."""
    name = Locale.parse(code).get_display_name(code)
    return name[:1].upper() + name[1:]


def text_direction(code):
    """Return "rtl" or "ltr" for a locale, as Babel's CLDR data says."""
    return Locale.parse(code).text_direction


def supported(code):
    """Return the code when the interface is translated into it, else None."""
    return code if code in current_app.config["LANGUAGES"] else None


def select_locale():
    """Pick the language: saved user setting, ?lang=, cookie, browser, Danish."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    if current_user.is_authenticated and supported(current_user.locale):
        return current_user.locale
    return chosen_language() or request.accept_languages.best_match(current_app.config["LANGUAGES"]) or default


def chosen_language():
    """The language the visitor picked themselves (?lang= or the switcher's cookie), or None."""
    for candidate in (request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if candidate and supported(candidate):
            return candidate
    return None


def language_url(code):
    """This page's address in another language: its path and query with ``lang`` set to `code`."""
    return f"{request.script_root}{request.path}?{urlencode(dict(request.args.items(), lang=code))}"


def remember_requested_language(response):
    """Keep a ?lang= choice in a cookie so the next page stays in it."""
    requested = request.args.get("lang")
    if requested and supported(requested):
        response.set_cookie(
            LANGUAGE_COOKIE, requested, max_age=LANGUAGE_COOKIE_MAX_AGE, samesite="Lax"
        )
    return response


def page_language():
    """Return what every template needs to know about the current language, and its catalog's gettext.

    A template looks `gettext` and `ngettext` (and with them `_`) up in its
    context before Jinja's globals: these take the catalog once per page,
    where Flask-Babel's globals look the locale and the catalog up again for
    every string (a third of the public list's rendering). The context is
    made at each `render_template`, so under `force_locale` (an e-mail in
    its recipient's language) it holds that language's. Macros imported
    without context use the globals, which say the same.
    """
    code = str(get_locale())
    translations = get_translations()
    return {
        "html_lang": code,
        "html_dir": text_direction(code),
        "languages": [(c, language_name(c)) for c in current_app.config["LANGUAGES"]],
        # Jinja's own newstyle wrappers, as install_gettext_callables makes them: autoescaped, %-formatted.
        "gettext": _make_new_gettext(translations.ugettext),
        "ngettext": _make_new_ngettext(translations.ungettext),
    }


def check_catalogs(app):
    """Fail at start-up when a configured language has no message catalog."""
    root = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    missing = [
        code
        for code in app.config["LANGUAGES"]
        if not (root / code / "LC_MESSAGES" / "messages.po").exists()
    ]
    if missing:
        raise RuntimeError(f"no message catalog for {', '.join(missing)} under {root}")


def init_app(app):
    check_catalogs(app)
    babel.init_app(app, locale_selector=select_locale)
    app.context_processor(page_language)
    from app.i18n.dates import day, local_date, local_time, month, when
    from app.i18n.lists import format_list_html
    from app.i18n.names import interest_name, spoken_language_name

    app.add_template_filter(format_list_html, "format_list")
    app.add_template_filter(day)
    app.add_template_filter(when)
    app.add_template_filter(month)
    app.add_template_filter(local_date)
    app.add_template_filter(local_time)
    app.add_template_global(spoken_language_name)
    app.add_template_filter(spoken_language_name)
    app.add_template_global(interest_name)
    app.add_template_global(language_url)
    app.after_request(remember_requested_language)
    from app.i18n.routes import bp

    app.register_blueprint(bp)
