"""Rate limits and login throttling, counted in a store all web workers share.

The counts live where ``RATELIMIT_STORAGE_URI`` says, through the `limits`
library (the one Flask-Limiter is built on): ``memory://`` is per process
(development, tests, a single worker); with several gunicorn workers it
must be a shared store such as ``redis://localhost:6379``. Clients are
told apart by their address, which ProxyFix (TRUSTED_PROXIES) has taken
from the proxy's X-Forwarded-For.

Public forms, which anyone may send, read at most PUBLIC_FORM_MAX_BYTES
of a request; more gets a 413 page before any field is parsed.

Limits are counted by hand (`allow`) rather than per route, so that only
what costs (a valid submission, a wrong password) is counted, never a
page view or a form sent back with a mistake. That is why there is no
Flask-Limiter: it checks every request for route limits in hooks of its
own, a tenth of a cached public page's cost, and the app has no route
limits to check.
"""
import math
import time

from flask import current_app, request
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter


class RateLimits:
    """The app's store of counts, and the fixed-window counting over it."""

    def __init__(self):
        self.storage = self.limiter = None
        #: Off only in tests that must reach what lies behind a limit.
        self.enabled = True

    def init_app(self, app):
        self.storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
        self.limiter = FixedWindowRateLimiter(self.storage)

    def reset(self):
        """Forget every count (tests; a store that can be emptied)."""
        self.storage.reset()


limiter = RateLimits()

#: The endpoints whose forms anyone may send, without logging in.
PUBLIC_FORMS = frozenset({
    "recruitment.apply",
    "events.sign_up",
    "auth.login",
    "auth.request_password_reset",
    "auth.reset_password",
    "auth.accept_invitation",
    "followup.answer",
})


def init_app(app):
    """Before CSRFProtect, whose check is the first to read a form."""
    limiter.init_app(app)
    app.before_request(cap_public_form_body)


def is_public_form():
    return request.endpoint in PUBLIC_FORMS


def cap_public_form_body():
    """Let a public form's request carry only a small body, whatever its Content-Length says."""
    if is_public_form():
        request.max_content_length = current_app.config["PUBLIC_FORM_MAX_BYTES"]


def _identifiers(keys):
    return (request.remote_addr or "-", *map(str, keys))


def allow(limit, *keys):
    """Count one event for this client and `keys` against `limit` ("5 per hour"); False once it is reached."""
    return not limiter.enabled or limiter.limiter.hit(parse(limit), *_identifiers(keys))


def seconds_blocked(limit, *keys):
    """Return how long this client must wait before `limit` for `keys` lets it through, 0 if it may go on."""
    limit = parse(limit)
    if limiter.limiter.test(limit, *_identifiers(keys)):
        return 0
    reset_at = limiter.limiter.get_window_stats(limit, *_identifiers(keys)).reset_time
    return max(1, math.ceil(reset_at - time.time()))


class Backoff:
    """Growing waits after failures of one kind for one key (an account name, an address).

    The first `free` failures cost nothing; each one after that makes the
    key wait twice as long as the one before, from one second up to
    `longest`. Nobody is shut out for long, yet guessing gets slow.
    Failures are forgotten a day after the first one.
    """

    def __init__(self, name, free, longest):
        self.name, self.free, self.longest = name, free, longest

    def wait(self, key):
        """Return the seconds `key` must still wait, 0 when it may try now."""
        storage = limiter.storage
        if not storage.get(self._key("wait", key)):
            return 0
        return max(0, math.ceil(storage.get_expiry(self._key("wait", key)) - time.time()))

    def fail(self, key):
        """Record a failure for `key`, and make it wait when it has used up its free ones."""
        storage = limiter.storage
        failures = storage.incr(self._key("failures", key), 24 * 3600)
        if failures > self.free:
            delay = min(2 ** (failures - self.free - 1), self.longest)
            storage.incr(self._key("wait", key), delay)

    def forget(self, key):
        """Forget `key`'s failures, after a success."""
        for part in ("failures", "wait"):
            limiter.storage.clear(self._key(part, key))

    def _key(self, part, key):
        return f"backoff/{self.name}/{part}/{key}"
