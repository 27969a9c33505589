"""Admin pages: thin views over `app.admin.services`."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import bp
from app.admin.forms import OrganisationForm, UserForm
from app.admin.services import (
    apply_user_fields,
    create_user,
    delete_organisation,
    organisations_with_member_counts,
    search_users,
    set_enabled,
)
from app.auth.models import ROLE_TITLES, Organisation, Role, User
from app.auth.services import send_invitation
from app.extensions import db
from app.forms import ConfirmForm, search_text
from app.permissions import role_required


@bp.before_request
@role_required(Role.ADMIN)
def admins_only():
    """Every page here is for administrators."""


@bp.route("/users")
def users():
    text = search_text(request.args)
    role = request.args.get("role") if request.args.get("role") in set(Role) else None
    page = db.paginate(
        search_users(text, role), per_page=current_app.config["PER_PAGE"], error_out=False
    )
    return render_template(
        "admin/users.html", page=page, q=text, role=role, role_titles=ROLE_TITLES
    )


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = UserForm()
    if form.validate_on_submit():
        user = create_user(form.data)
        send_invitation(user)
        db.session.commit()
        flash(_("The invitation is sent by e-mail."), "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


def _get_user(user_id):
    return db.session.get(User, user_id) or abort(404)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id):
    user = _get_user(user_id)
    form = UserForm(obj=user, user=user)
    if request.method == "GET":
        form.organisation_id.data = user.organisation_id or 0
        form.municipality_codes.data = [m.code for m in user.municipalities]
    if form.validate_on_submit():
        apply_user_fields(user, form.data)
        db.session.commit()
        flash(_("The changes to the user are saved."), "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.post("/users/<int:user_id>/invitation")
def resend_invitation(user_id):
    user = _get_user(user_id)
    if user.has_password:
        flash(_("This user has already set a password."), "warning")
    else:
        send_invitation(user)
        db.session.commit()
        flash(_("A new invitation is sent by e-mail."), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/access", methods=["GET", "POST"])
def toggle_access(user_id):
    """Deactivate (after confirmation) or reactivate an account."""
    user = _get_user(user_id)
    if user.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "warning")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    form = ConfirmForm()
    if form.validate_on_submit():
        set_enabled(user, not user.is_enabled)
        db.session.commit()
        if user.is_enabled:
            flash(_("The user can log in again."), "success")
        else:
            flash(_("The user can no longer log in."), "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/confirm_access.html", form=form, user=user)


@bp.route("/organisations", methods=["GET", "POST"])
def organisations():
    form = OrganisationForm()
    if form.validate_on_submit():
        db.session.add(Organisation(name=form.name.data))
        db.session.commit()
        flash(_("%(name)s is added.", name=form.name.data), "success")
        return redirect(url_for("admin.organisations"))
    return render_template(
        "admin/organisations.html", form=form, rows=organisations_with_member_counts()
    )


def _get_organisation(organisation_id):
    return db.session.get(Organisation, organisation_id) or abort(404)


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
def edit_organisation(organisation_id):
    organisation = _get_organisation(organisation_id)
    form = OrganisationForm(obj=organisation, organisation=organisation)
    if form.validate_on_submit():
        organisation.name = form.name.data
        db.session.commit()
        flash(_("The changes to %(name)s are saved.", name=organisation.name), "success")
        return redirect(url_for("admin.organisations"))
    return render_template("admin/organisation_form.html", form=form, organisation=organisation)


@bp.route("/organisations/<int:organisation_id>/delete", methods=["GET", "POST"])
def remove_organisation(organisation_id):
    organisation = _get_organisation(organisation_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = organisation.name
        if delete_organisation(organisation):
            db.session.commit()
            flash(_("%(name)s is deleted.", name=name), "success")
        else:
            flash(_("%(name)s still has users or agreements and cannot be deleted.", name=name), "warning")
        return redirect(url_for("admin.organisations"))
    return render_template(
        "admin/confirm_delete_organisation.html", form=form, organisation=organisation
    )
