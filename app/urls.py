"""Redirect targets that stay on this site."""
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import url_for


def safe_next_url(target, default_endpoint="main.index"):
    """Return `target` when it is a local path, else the default page.

    A ``lang`` parameter is dropped so that a language just chosen in the
    switcher is not overruled by the page's old ``?lang=``.
    """
    if target:
        parts = urlsplit(target)
        local = target.startswith("/") and not target.startswith("//")
        if local and "\\" not in target and not parts.scheme and not parts.netloc:
            query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "lang"])
            return urlunsplit(("", "", parts.path, query, parts.fragment))
    return url_for(default_endpoint)
