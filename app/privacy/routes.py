"""Erasing a person on request: a confirmation page that says what will happen, then the service."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.people.routes import get_person
from app.permissions import role_required
from app.privacy import bp, services
from app.privacy.forms import EraseForm


@bp.before_request
@role_required("admin", "manager")
def staff_with_personal_data_only():
    """Only managers (of the person's municipality, checked per person) and admins erase."""


@bp.route("/people/<int:person_id>/erase", methods=["GET", "POST"])
def erase(person_id):
    person = get_person(person_id)
    if person.erased_at is not None:
        flash(_("This person's data has already been erased."), "info")
        return redirect(url_for("people.detail", person_id=person.id))
    form = EraseForm()
    if form.validate_on_submit():
        services.erase_person(person, current_user, form.reason.data)
        db.session.commit()
        flash(_("The person's data is erased. Only an anonymous record is left."), "success")
        return redirect(url_for("people.detail", person_id=person.id))
    return render_template("privacy/confirm_erase.html", form=form, person=person)
