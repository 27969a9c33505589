from flask import Blueprint

from app.events import models  # noqa: F401

bp = Blueprint("events", __name__)
