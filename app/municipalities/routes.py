"""Municipality pages: the places managers work and head office follows."""
from flask import Blueprint, abort, render_template
from flask_login import current_user

from app.extensions import db
from app.municipalities.models import Municipality
from app.municipalities.services import (
    managers_of,
    municipalities_for,
    regions_with_municipalities,
)
from app.permissions import require_municipality, role_required

bp = Blueprint("municipalities", __name__, url_prefix="/municipalities")

STAFF = ("admin", "head_office", "manager")


@bp.route("/")
@role_required(*STAFF)
def index():
    regions = regions_with_municipalities(municipalities_for(current_user))
    return render_template("municipalities/index.html", regions=regions)


@bp.route("/<int:code>")
@role_required(*STAFF)
def detail(code):
    municipality = db.session.get(Municipality, code) or abort(404)
    require_municipality(code)
    return render_template(
        "municipalities/detail.html",
        municipality=municipality,
        managers=managers_of(municipality),
    )
