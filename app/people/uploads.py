"""Uploaded import files, kept between the dry run and the manager's confirmation.

They hold people's personal data, so a file nobody confirmed is removed
within a day: by the hourly job in app/people/tasks.py, and at each upload.
"""
import secrets
import time
from pathlib import Path

from flask import current_app

#: Files left unconfirmed longer than this are removed.
MAX_AGE_SECONDS = 24 * 3600


def _folder():
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _path(user, token, suffix):
    if not token.replace("-", "").replace("_", "").isalnum():
        return None
    return _folder() / f"{user.id}-{token}{suffix}"


def keep(user, filename, content):
    """Store an upload for `user`; return a token naming it."""
    remove_old()
    token = secrets.token_urlsafe(16)
    suffix = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
    _path(user, token, suffix).write_bytes(content)
    return token


def load(user, token):
    """Return (filename, content) of `user`'s upload, or None if it is gone."""
    for suffix in (".csv", ".xlsx"):
        path = _path(user, token or "", suffix)
        if path is not None and path.exists():
            return path.name, path.read_bytes()
    return None


def discard(user, token):
    for suffix in (".csv", ".xlsx"):
        path = _path(user, token, suffix)
        if path is not None:
            path.unlink(missing_ok=True)


def remove_old():
    """Remove the uploads older than MAX_AGE_SECONDS; return how many there were."""
    cutoff = time.time() - MAX_AGE_SECONDS
    old = [path for path in _folder().iterdir() if path.stat().st_mtime < cutoff]
    for path in old:
        path.unlink(missing_ok=True)
    return len(old)
