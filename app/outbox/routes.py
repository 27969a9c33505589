"""The administrators' view of e-mails that are waiting or have failed, and retrying them."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from app.auth.models import Role
from app.extensions import db
from app.forms import ConfirmForm
from app.outbox import services
from app.outbox.models import OutboxMessage
from app.permissions import role_required

bp = Blueprint("outbox", __name__, url_prefix="/admin/outbox")


@bp.before_request
@role_required(Role.ADMIN)
def admins_only():
    """Every page here is for administrators."""


@bp.route("/")
def index():
    page = db.paginate(services.undelivered(), per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("outbox/index.html", page=page)


@bp.route("/<int:message_id>/retry", methods=["GET", "POST"])
def retry(message_id):
    """Send a failed or waiting message again, after confirmation."""
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    if message.sent_at is not None:
        flash(_("This e-mail has already been sent."), "info")
        return redirect(url_for("outbox.index"))
    form = ConfirmForm()
    if form.validate_on_submit():
        services.retry(message)
        db.session.commit()
        flash(_("The e-mail will be sent again shortly."), "success")
        return redirect(url_for("outbox.index"))
    return render_template("outbox/confirm_retry.html", form=form, message=message)
