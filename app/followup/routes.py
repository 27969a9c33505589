"""The personal check-in page (no login) and the managers' follow-up tasks."""

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.followup import services
from app.followup.forms import CheckInForm
from app.followup.models import CheckIn
from app.forms import ConfirmForm
from app.permissions import require_municipality, role_required
from app.signing import LinkError
from app.timeutil import today_local
from app.urls import safe_next_url

bp = Blueprint("followup", __name__)


@bp.route("/check-in/<token>", methods=["GET", "POST"])
def answer(token):
    """Answer a check-in through the link in the e-mail; it works once."""
    try:
        check_in = services.check_in_for_token(token)
    except LinkError as error:
        return render_template("followup/link_invalid.html", message=error.message), 410
    form = CheckInForm()
    if form.validate_on_submit():
        services.record_answer(check_in, form.meetings.data, form.rating.data, form.wants_call.data,
                               form.comment.data)
        db.session.commit()
        return render_template("followup/thanks.html")
    return render_template("followup/answer.html", form=form, check_in=check_in)


@bp.post("/check-ins/<int:check_in_id>/handled")
@role_required("admin", "manager")
def handled(check_in_id):
    check_in = db.session.get(CheckIn, check_in_id) or abort(404)
    require_municipality(check_in.person.municipality_code, personal_data=True)  # the asked person's manager
    if ConfirmForm().validate_on_submit():
        services.mark_handled(check_in, current_user)
        db.session.commit()
        flash(_("The follow-up is marked as done."), "success")
    return redirect(safe_next_url(request.form.get("next")))


@bp.app_template_global()
def check_in_flagged(check_in):
    return services.is_flagged(check_in, today_local())
