"""Erasure and retention: a person's data is anonymised on request or after the retention period.

The people registry's row stays, anonymous and archived, so national counts
and match history keep adding up; the features that hold data about the
person clear it when told through the `person_erased` signal.
"""
from flask import Blueprint

bp = Blueprint("privacy", __name__, url_prefix="/privacy")

from app.privacy import routes  # noqa: E402,F401
