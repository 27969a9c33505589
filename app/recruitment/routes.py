"""The public application form and the managers' approve and decline actions."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.limits import allow
from app.people.models import Volunteer, VolunteerStatus
from app.permissions import require_municipality, role_required
from app.recruitment import services
from app.recruitment.forms import DeclineForm, VolunteerApplicationForm
from app.serving import cached_for_visitors

bp = Blueprint("recruitment", __name__)

@bp.route("/volunteer", methods=["GET", "POST"])
@cached_for_visitors
def apply():
    """Anyone may apply; the answer never tells whether they were known already."""
    form = VolunteerApplicationForm()
    if form.validate_on_submit():
        if form.website.data:  # a bot filled in the hidden field
            return render_template("recruitment/thanks.html")
        if not allow(services.APPLICATION_LIMIT, "application"):
            form.submit.errors = [_("Too many applications were sent from here. Try again in an hour.")]
            return render_template("recruitment/apply.html", form=form), 429
        services.submit_application(form.profile_data())
        db.session.commit()
        return render_template("recruitment/thanks.html")
    return render_template("recruitment/apply.html", form=form)


def _get_applicant(person_id):
    volunteer = db.session.get(Volunteer, person_id) or abort(404)
    require_municipality(volunteer.municipality_code, personal_data=True)
    if volunteer.status != VolunteerStatus.APPLICANT:
        flash(_("This volunteer is no longer an applicant."), "warning")
        return None, redirect(url_for("people.detail", person_id=volunteer.id))
    return volunteer, None


@bp.post("/applicants/<int:person_id>/approve")
@role_required("admin", "manager")
def approve(person_id):
    volunteer, done = _get_applicant(person_id)
    if done:
        return done
    services.approve(volunteer, current_user)
    db.session.commit()
    flash(_("The applicant is approved as a volunteer."), "success")
    return redirect(url_for("people.detail", person_id=volunteer.id))


@bp.route("/applicants/<int:person_id>/decline", methods=["GET", "POST"])
@role_required("admin", "manager")
def decline(person_id):
    volunteer, done = _get_applicant(person_id)
    if done:
        return done
    form = DeclineForm()
    if form.validate_on_submit():
        services.decline(volunteer, current_user, form.reason.data.strip())
        db.session.commit()
        flash(_("The applicant is declined and has been told why."), "success")
        return redirect(url_for("people.detail", person_id=volunteer.id))
    return render_template("recruitment/decline.html", form=form, volunteer=volunteer)
