"""Validators shared by every form, with messages from our own catalogs.

WTForms' built-in messages have no Tigrinya translation, so each validator
we use is given a message that goes through our Babel catalogs.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired


def options(pairs):
    """Turn (value, label) pairs into the SelectChoice objects WTForms wants."""
    return [SelectChoice(value, label) for value, label in pairs]


def required():
    return DataRequired(message=_l("This field is required."))


def choice_required():
    """For select fields, whose empty choice is a value too."""
    return InputRequired(message=_l("Choose one."))


def email_address():
    return Email(message=_l("Enter a valid e-mail address, e.g. name@example.dk."))


class ConfirmForm(FlaskForm):
    """An empty form: a button whose POST carries the CSRF token."""

    submit = SubmitField(_l("Confirm"))
