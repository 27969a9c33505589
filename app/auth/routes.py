"""Log in and out, change, reset and first set one's password."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import bp
from app.auth.forms import ChangePasswordForm, LoginForm, RequestResetForm, SetPasswordForm
from app.auth.services import TryLater, authenticate, find_user_by_login, send_password_reset
from app.auth.tokens import INVITATION, PASSWORD_RESET, user_for_token
from app.extensions import db
from app.i18n import chosen_language, supported
from app.signing import LinkError
from app.urls import safe_next_url


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(form.login.data, form.password.data)
        except TryLater as wait:
            user = None
            form.password.errors.append(
                ngettext(
                    "Too many wrong passwords. Try again in %(num)d second, or ask for a new password.",
                    "Too many wrong passwords. Try again in %(num)d seconds, or ask for a new password.",
                    wait.seconds,
                )
            )
        else:
            if user is None:
                form.password.errors.append(_("Wrong e-mail, phone number or password."))
            elif chosen := supported(form.lang.data or ""):
                user.locale = chosen
        db.session.commit()
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next_url(request.args.get("next")))
    if not form.lang.data:
        form.lang.data = chosen_language()
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    """Log out everywhere: a copy of this session's cookie, or a remember-me cookie, stops working too."""
    if current_user.is_authenticated:
        current_user.end_sessions()
        db.session.commit()
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append(_("The current password is wrong."))
        else:
            current_user.set_password(form.password.data)
            db.session.commit()
            login_user(current_user._get_current_object())  # this session goes on with the new nonce
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("main.index"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/reset", methods=["GET", "POST"])
def request_password_reset():
    form = RequestResetForm()
    if form.validate_on_submit():
        user = find_user_by_login(form.login.data)
        if user is not None and user.is_enabled:
            send_password_reset(user)
            db.session.commit()
        # The same answer either way, so nobody can probe for accounts.
        flash(
            _("If an account exists for what you entered, we have e-mailed a link to it."),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/request_reset.html", form=form)


def _set_password_from_link(token, purpose, template, done_message):
    """Show and handle the set-password form behind an e-mailed link."""
    try:
        user = user_for_token(token, purpose)
    except LinkError as error:
        return render_template("auth/link_invalid.html", message=error.message), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        user.set_password(form.password.data)
        login_user(user)
        db.session.commit()
        flash(done_message, "success")
        return redirect(url_for("main.index"))
    return render_template(template, form=form, user=user)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    return _set_password_from_link(
        token, PASSWORD_RESET, "auth/reset_password.html", _("Your new password is saved.")
    )


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token):
    return _set_password_from_link(
        token, INVITATION, "auth/accept_invitation.html", _("Welcome! Your account is ready.")
    )
