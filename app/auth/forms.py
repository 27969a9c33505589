"""Forms for logging in and managing one's own password."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import EqualTo, Length

from app.forms import FlaskForm, required

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200


def new_password_fields():
    """Return the two fields every form that sets a password shares."""
    password = PasswordField(
        _l("New password"),
        validators=[
            required(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=_l("Use at least %(num)d characters.", num=MIN_PASSWORD_LENGTH),
            ),
        ],
        description=_l("At least %(num)d characters.", num=MIN_PASSWORD_LENGTH),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            required(),
            Length(max=MAX_PASSWORD_LENGTH),
            EqualTo("password", message=_l("The passwords do not match.")),
        ],
    )
    return password, confirm


def login_field():
    return StringField(_l("E-mail or phone number"), validators=[required(), Length(max=254)])


def password_field(label):
    """An existing password: as long as a new one may be, so checking it costs no more."""
    return PasswordField(label, validators=[required(), Length(max=MAX_PASSWORD_LENGTH)])


class LoginForm(FlaskForm):
    login = login_field()
    password = password_field(_l("Password"))
    remember = BooleanField(_l("Keep me logged in on this device"))
    #: The language chosen on the login page (switcher or ?lang=), saved on the account at login.
    lang = HiddenField(validators=[Length(max=16)])
    submit = SubmitField(_l("Log in"))


class SetPasswordForm(FlaskForm):
    password, confirm = new_password_fields()
    submit = SubmitField(_l("Save password"))


class ChangePasswordForm(FlaskForm):
    current_password = password_field(_l("Current password"))
    password, confirm = new_password_fields()
    submit = SubmitField(_l("Change password"))


class RequestResetForm(FlaskForm):
    login = login_field()
    submit = SubmitField(_l("Send me a link"))
