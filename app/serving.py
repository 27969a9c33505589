"""How the app meets the network: reverse proxies, and static files browsers may keep.

A static URL carries a short hash of the file's content (``?v=…``), so a
response for it can be cached for a year: a new release changes the hash,
and with it the URL the pages ask for.
"""
import hashlib
import os
from functools import lru_cache
from pathlib import Path

from flask import current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.security import safe_join

#: How long a browser keeps a static file whose URL names its content.
STATIC_MAX_AGE = 365 * 24 * 3600


def init_app(app):
    trusted = app.config["TRUSTED_PROXIES"]
    if trusted:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted, x_proto=trusted)
    app.url_defaults(add_static_version)
    app.after_request(cache_versioned_static)


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
    must not see of another's: the public calendars. (Every HTML page holds
    the language menu's CSRF token, signed with the time it was made; a
    browser's old copy could carry an expired one.) The ETag is weak: it
    hashes what the body says, leaving out what changes on every request (a
    calendar's generation time). The file is still built; the network is
    spared, and a calendar app polling a feed gets 304s.
    """
    response.set_etag(weak_etag, weak=True)
    response.cache_control.no_cache = True
    return response.make_conditional(request)
