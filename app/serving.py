"""How the app meets the network: reverse proxies, security headers, and static files browsers may keep.

A static URL carries a short hash of the file's content (``?v=…``), so a
response for it can be cached for a year: a new release changes the hash,
and with it the URL the pages ask for.

Every response carries the same few security headers, set here rather than
by Flask-Talisman: the pages run no JavaScript and have no inline styles, so
the policy is one fixed string with no nonces, and Talisman's other duties
(forcing HTTPS, cookie flags) are the proxy's and config.py's already.
A page or file that may show personal data (anything a logged-in user sees,
and anything that does not say how it may be cached) is never stored by a
browser or a proxy.

Compression (Brotli or gzip) is left off wherever a response may hold a
secret of one visitor: BREACH guesses a secret in an HTTPS response byte by
byte from the compressed length, when the attacker can also put text of
their own into the same page (a search box, a name they typed in the public
form). So pages a logged-in user gets (CSRF token, names, phone numbers),
pages opened by a personal link (``<token>`` in the URL) and answers to a
POST (a form sent back with what was typed) go uncompressed; public pages
and static files, which every visitor gets alike, are compressed.
"""
import gc
import gzip
import hashlib
import os
import time
from functools import lru_cache, wraps
from pathlib import Path

import brotli
from flask import current_app, g, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature
from werkzeug.http import parse_cookie, parse_etags, unquote_etag
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter
from werkzeug.security import safe_join

from app.extensions import compress
from app.i18n import LANGUAGE_COOKIE

#: How long a browser keeps a static file whose URL names its content.
STATIC_MAX_AGE = 365 * 24 * 3600

#: Our own styles and images only; no script at all, no framing, no posting elsewhere.
#: (Bootstrap's CSS draws a few icons from data: URLs; SVG charts use attributes, which it allows.)
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'none'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


#: Container objects allocated between two collections of the youngest generation (CPython's default: 700).
GC_YOUNG_ALLOCATIONS = 50_000


def settle_worker():
    """Tune the garbage collector for a server process that has loaded the app; gunicorn calls it in each worker.

    The app, its templates and its libraries are some 150,000 objects that
    live as long as the process. With CPython's defaults, a request that
    makes many short-lived rows (an export of 60,000 people makes about
    two million) runs a collection of the young generation every 700 of
    them and every so often one of the whole heap, walking all those
    objects again: a fifth of the export's time. `gc.freeze` moves what is
    loaded now out of the collector's sight for good, and the young
    generation is collected every GC_YOUNG_ALLOCATIONS instead. Rows are
    freed by reference counting as soon as they are written; the collector
    is only for reference cycles, which requests rarely make.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_ALLOCATIONS, *gc.get_threshold()[1:])


class DatabaseIntegerConverter(IntegerConverter):
    """``<int:…>`` up to the largest id a database column holds: a longer number is a 404, not a server error."""

    def __init__(self, map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app):
    """Before the blueprints, whose routes take their converters when they are added."""
    app.url_map.converters["int"] = DatabaseIntegerConverter
    app.wsgi_app = app.extensions["visitor_page_cache"] = VisitorPageCache(app, app.wsgi_app)
    trusted = app.config["TRUSTED_PROXIES"]
    if trusted:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted, x_proto=trusted)
    app.url_defaults(add_static_version)
    # After-request functions run last-registered first: compression sees the finished response.
    app.after_request(compress_unless_private)
    app.after_request(cache_versioned_static)
    app.after_request(add_security_headers)


def add_security_headers(response):
    """Add the fixed security headers, HSTS when configured, and no-store where personal data may be."""
    response.headers.update(SECURITY_HEADERS)
    if hsts := current_app.config["HSTS_MAX_AGE"]:
        response.headers["Strict-Transport-Security"] = f"max-age={hsts}; includeSubDomains"
    if request.endpoint != "static" and (
        current_user.is_authenticated or "Cache-Control" not in response.headers
    ):
        response.headers["Cache-Control"] = "no-store"
    return response


def may_hold_a_secret():
    """Whether this response may hold one visitor's secret (see the module's docstring on BREACH)."""
    return request.endpoint != "static" and (
        request.method not in ("GET", "HEAD")
        or current_user.is_authenticated
        or "token" in (request.view_args or {})
    )


def compress_unless_private(response):
    """Compress a response with Flask-Compress unless it may hold a visitor's secret."""
    if may_hold_a_secret():
        return response
    return compress.after_request(response)


def content_hash(data):
    """Return a short hash of a file's bytes: equal contents, equal URLs."""
    return hashlib.sha256(data).hexdigest()[:12]


@lru_cache(maxsize=None)
def _hash_of_file(path, mtime_ns):
    # Keyed by modification time, so an edit during development gets a new URL
    # without a restart; in production each file is read once per process.
    return content_hash(Path(path).read_bytes())


def static_version(filename):
    """Return the content hash of a file in the static folder, or None if there is none."""
    path = safe_join(current_app.static_folder, filename)
    if path is None:
        return None
    try:
        return _hash_of_file(path, os.stat(path).st_mtime_ns)
    except OSError:
        return None


def add_static_version(endpoint, values):
    """Make ``url_for('static', filename=…)`` end in ``?v=<content hash>``."""
    if endpoint == "static" and "v" not in values:
        version = static_version(values.get("filename", ""))
        if version:
            values["v"] = version


def cache_versioned_static(response):
    """Let browsers keep a static file for a year when its URL names its current content."""
    if (
        request.endpoint == "static"
        and response.status_code in (200, 304)
        and request.args.get("v")
        and request.args["v"] == static_version(request.view_args["filename"])
    ):
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = STATIC_MAX_AGE
        response.cache_control.immutable = True
        response.expires = None
    return response


def revalidated(response, weak_etag):
    """Answer with 304 Not Modified when the browser's copy (by `weak_etag`) still says the same.

    Only for GET responses that hold no CSRF token and nothing one visitor
    must not see of another's: the public calendars and `public_page`s. (A
    form's CSRF token is signed with the time it was made; a browser's old
    copy could carry an expired one.) The ETag is weak: it hashes what the
    body says, leaving out what changes on every request (a calendar's
    generation time). The body is still built; the network is spared, and
    a calendar app polling a feed gets 304s. Caches keep a copy per
    language: the page's language comes from the cookie or Accept-Language.
    """
    response.set_etag(weak_etag, weak=True)
    response.cache_control.no_cache = True
    response.vary.update(("Cookie", "Accept-Language"))
    return response.make_conditional(request)


def public_page(body):
    """Answer a visitor's page with an ETag, so a browser's copy is revalidated (304) while it reads the same.

    Only for a visitor who is not logged in (whose pages are ``no-store``)
    and only when the page holds no form token: the activity list and an
    activity page without a sign-up form. Pages with a form (the
    application, a sign-up) are always sent whole.
    """
    response = make_response(body)
    if current_user.is_authenticated or b'name="csrf_token"' in response.get_data():
        return response
    # The same for every visitor: the front cache may keep it, unless this request changed the session
    # (a message shown once was taken out of it).
    request.environ[SHAREABLE] = not session.modified
    return revalidated(response, content_hash(response.get_data()))


#: (path with query, language) -> (monotonic expiry, body) of a page as a visitor gets it; emptied when full.
_visitor_pages = {}
VISITOR_PAGE_CACHE_SIZE = 1024
#: Where a cached page had its visitor's CSRF token; each visitor gets their own put back.
TOKEN_MARK = b"\x00csrf-token\x00"


def cached_for_visitors(view):
    """Give visitors a GET page this worker rendered in the last PUBLIC_PAGE_CACHE_SECONDS, with their own token.

    A public page (the activity list, an activity page, the application
    form) reads the same for every visitor asking for the same address in
    the same language, but for the CSRF token of its form: the page is
    built at most once per few seconds per worker, and each visitor gets it
    with a token made for their own session, so a rush of visitors costs
    little more than serving bytes. Logged-in users and a visitor with a
    message waiting (flash) always get a page rendered for them. Seat
    counts shown to visitors can be that many seconds old; signing up
    counts seats under a row lock regardless. A page without a form token
    is kept whole, in front of the app, by `VisitorPageCache` as well.
    """
    @wraps(view)
    def wrapper(*args, **kwargs):
        seconds = current_app.config["PUBLIC_PAGE_CACHE_SECONDS"]
        if not seconds or request.method != "GET" or current_user.is_authenticated or "_flashes" in session:
            return view(*args, **kwargs)
        key = (request.full_path, str(get_locale()))
        expires, body = _visitor_pages.get(key, (0, None))
        if body is not None and time.monotonic() < expires:
            if TOKEN_MARK in body:
                _offer_with_token(body)
                body = body.replace(TOKEN_MARK, generate_csrf().encode())
            return public_page(body)
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200:
            body = response.get_data()
            if token := g.get("csrf_token"):
                body = body.replace(token.encode(), TOKEN_MARK)
                _offer_with_token(body)
            if len(_visitor_pages) >= VISITOR_PAGE_CACHE_SIZE:
                _visitor_pages.clear()
            _visitor_pages[key] = (time.monotonic() + seconds, body)
        return response

    return wrapper


def _offer_with_token(marked):
    """Let `VisitorPageCache` keep this page with a form (`marked`: TOKEN_MARK for its token).

    Only while this request has not changed the session: a visitor's first
    form makes their session's token, and that page goes out with a new
    session cookie, which is never kept.
    """
    raw = session.get(current_app.config["WTF_CSRF_FIELD_NAME"])
    if raw and not session.modified:
        request.environ[WITH_TOKEN] = (marked, raw, generate_csrf())


#: Set in the WSGI environ by `public_page` when the answer is the same for every visitor.
SHAREABLE = "friends.shareable"
#: Set by `cached_for_visitors` for a visitor's page with a form: (body with TOKEN_MARK, raw token, form token).
WITH_TOKEN = "friends.with_token"
#: What a visitor's session may hold and still be a visitor's: a form's token, Flask-Login's freshness flag.
VISITOR_SESSION_KEYS = frozenset({"csrf_token", "_fresh"})
#: Visitors whose form token this worker keeps for them; emptied when full.
VISITOR_TOKENS = 10_000
#: The part of a form token's lifetime (WTF_CSRF_TIME_LIMIT) for which it is put into pages again.
TOKEN_REUSE = 0.25
#: How a kept page with a form is compressed for each visitor, with Flask-Compress's settings.
ENCODERS = {
    "br": lambda body, config: brotli.compress(
        body, mode=config["COMPRESS_BR_MODE"], quality=config["COMPRESS_BR_LEVEL"],
        lgwin=config["COMPRESS_BR_WINDOW"], lgblock=config["COMPRESS_BR_BLOCK"]),
    "gzip": lambda body, config: gzip.compress(body, config["COMPRESS_LEVEL"]),
    None: lambda body, config: body,
}


class VisitorPageCache:
    """Answer visitors' requests for public pages from this worker's copy, before the app runs at all.

    `cached_for_visitors` spares a page's rendering but still runs the whole
    app around it: session, locale, login, compression, headers — most of
    a cached page's cost. So a visitor's page is also kept here, as sent —
    status and headers — for PUBLIC_PAGE_CACHE_SECONDS, and served again
    to any visitor whose request would make the app build the same answer:
    the same address, language inputs (``lang`` cookie, Accept-Language)
    and Accept-Encoding.

    - A page `public_page` marks as the same for every visitor (no form
      token) is kept with its compressed body; a browser's conditional
      request for the same ETag gets 304.
    - A page with a form (the application, a sign-up) is kept with a mark
      where its token was. It is served to a visitor whose session holds a
      token for which this worker already made a form token (the app made
      it, on an earlier page): that one is put in, for the first
      TOKEN_REUSE of its lifetime, and the page compressed as the app
      would. A visitor without one goes to the app, which makes it.

    A visitor is a request without a remember-me cookie whose session, if
    any, holds only VISITOR_SESSION_KEYS; a logged-in user or a visitor
    with a message waiting always goes to the app. Pages that set a cookie
    other than the language one (a new session) are never kept. What
    nginx's ``proxy_cache`` would do for pages without cookies, done here
    because visitors who once opened a form carry a session cookie.
    """

    def __init__(self, app, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        self.pages = {}
        #: A visitor's raw session token -> (monotonic time until which it is reused, form token).
        self.tokens = {}

    def __call__(self, environ, start_response):
        seconds = self.app.config["PUBLIC_PAGE_CACHE_SECONDS"]
        visitor = seconds and self._visitor(environ)
        if not visitor:
            return self.wsgi_app(environ, start_response)
        key, session = visitor
        page = self.pages.get(key)
        if page is not None and time.monotonic() < page.expires:
            token = self._form_token(session) if page.with_token else None
            if token or not page.with_token:
                return page.serve(environ, start_response, token)
        sent = {}

        def capture(status, headers, exc_info=None):
            sent.update(status=status, headers=headers)
            return start_response(status, headers, exc_info)

        answer = self.wsgi_app(environ, capture)
        if not ((environ.get(SHAREABLE) or environ.get(WITH_TOKEN)) and environ["REQUEST_METHOD"] == "GET"
                and sent.get("status") == "200 OK"):
            return answer
        try:
            body = b"".join(answer)
        finally:
            if hasattr(answer, "close"):
                answer.close()
        if all(value.startswith(f"{LANGUAGE_COOKIE}=") for name, value in sent["headers"] if name == "Set-Cookie"):
            self._keep(key, seconds, sent, body, environ.get(WITH_TOKEN))
        return [body]

    def _keep(self, key, seconds, sent, body, with_token):
        if len(self.pages) >= VISITOR_PAGE_CACHE_SIZE:
            self.pages.clear()
        if with_token is None:
            self.pages[key] = _KeptPage(time.monotonic() + seconds, sent["status"], sent["headers"], body)
            return
        marked, raw, form_token = with_token
        encoding = next((value for name, value in sent["headers"] if name == "Content-Encoding"), None)
        if encoding not in ENCODERS:
            return
        if len(self.tokens) >= VISITOR_TOKENS:
            self.tokens.clear()
        lifetime = self.app.config["WTF_CSRF_TIME_LIMIT"] or 3600
        self.tokens[raw] = (time.monotonic() + lifetime * TOKEN_REUSE, form_token)
        headers = [(name, value) for name, value in sent["headers"] if name != "Content-Length"]
        self.pages[key] = _KeptPage(time.monotonic() + seconds, sent["status"], headers, marked,
                                    lambda page: ENCODERS[encoding](page, self.app.config))

    def _form_token(self, session):
        raw = (session or {}).get(self.app.config["WTF_CSRF_FIELD_NAME"])
        until, form_token = self.tokens.get(raw, (0, None))
        return form_token if time.monotonic() < until else None

    def _visitor(self, environ):
        """(What the app's answer to a visitor depends on, their session), or None when this is no visitor's GET."""
        if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
            return None
        cookies = parse_cookie(environ.get("HTTP_COOKIE", ""))
        if self.app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in cookies:
            return None
        session = None
        if (session_cookie := cookies.get(self.app.config["SESSION_COOKIE_NAME"])) is not None:
            session = self._visitor_session(session_cookie)
            if session is None:
                return None
        return (
            environ["wsgi.url_scheme"], environ.get("HTTP_HOST"), environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), cookies.get(LANGUAGE_COOKIE),
            environ.get("HTTP_ACCEPT_LANGUAGE"), environ.get("HTTP_ACCEPT_ENCODING"),
        ), session

    def _visitor_session(self, cookie):
        """The session a visitor's cookie holds, or None when it is not a visitor's (or not ours)."""
        try:
            data = self.app.session_interface.get_signing_serializer(self.app).loads(
                cookie, max_age=int(self.app.permanent_session_lifetime.total_seconds()))
        except BadSignature:
            return None
        return data if isinstance(data, dict) and data.keys() <= VISITOR_SESSION_KEYS else None


class _KeptPage:
    """A page as the app sent it; served again whole, headers only for HEAD, or as 304 for a matching ETag.

    A page with a form is kept uncompressed with TOKEN_MARK for its token,
    and `encode` compresses it once the visitor's token is in.
    """

    #: Headers a 304 leaves out: they describe a body it does not have.
    BODY_HEADERS = frozenset({"content-length", "content-type", "content-encoding"})

    def __init__(self, expires, status, headers, body, encode=None):
        self.expires, self.status, self.headers, self.body, self.encode = expires, status, headers, body, encode
        self.with_token = encode is not None
        self.etag = next((value for name, value in headers if name.lower() == "etag"), None)

    def serve(self, environ, start_response, token=None):
        asked = environ.get("HTTP_IF_NONE_MATCH")
        if asked and self.etag and parse_etags(asked).contains_weak(unquote_etag(self.etag)[0]):
            start_response("304 Not Modified", [(n, v) for n, v in self.headers if n.lower() not in self.BODY_HEADERS])
            return []
        body, headers = self.body, self.headers
        if self.with_token:
            body = self.encode(body.replace(TOKEN_MARK, token.encode()))
            headers = [*headers, ("Content-Length", str(len(body)))]
        start_response(self.status, headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]
