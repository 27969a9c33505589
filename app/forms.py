"""Base forms and validators shared by every form, with messages from our own catalogs.

WTForms and Flask-WTF have no Tigrinya catalog, and their other catalogs are
not ours to correct. So every form derives from `FlaskForm` or `Form` here,
whose `Meta.get_translations` hands WTForms our Babel catalogs: its own
messages ("Not a valid integer value.", a length, a number range…) are
looked up there, where `app/i18n/form_messages.py` has put them.
tests/test_form_messages.py checks that no form in the app is built on
WTForms' classes directly.

The same Meta cleans every text field (but passwords, which are only
hashed) as it is bound: control characters (and, outside a text area, tabs
and line breaks) are dropped before any validator sees the data, so none
reaches the database or an export. Every whole-number field holds only a
number a database integer column takes (a larger one is None and an error),
so neither a query nor a form shown again sends PostgreSQL one it refuses.
"""
from functools import partial

import flask_wtf
import wtforms
from flask import request
from flask_babel import get_locale, get_translations, lazy_gettext as _l
from flask_wtf.file import FileField
from flask_wtf.form import _Auto
from wtforms import IntegerField, PasswordField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, NumberRange, ValidationError
from werkzeug.datastructures import CombinedMultiDict, MultiDict

from app.auth.services import normalise_phone
from app.fragments import Fragments
from app.spreadsheets import clean_text


#: The range of a database integer column (ids, counts): PostgreSQL refuses a number outside it with an error.
DATABASE_INTEGER = (-(2**31), 2**31 - 1)


def database_integer(value):
    """A filter: a number outside `DATABASE_INTEGER` becomes None, which the field's range check then reports."""
    return value if value is None or DATABASE_INTEGER[0] <= value <= DATABASE_INTEGER[1] else None


def integer_arg(name, default=None):
    """The request's ?name= as a whole number a database column holds, else `default` (a huge one is no error)."""
    value = database_integer(request.args.get(name, type=int))
    return default if value is None else value


class CatalogTranslations:
    """WTForms' translations interface over the current locale's Babel catalog."""

    def gettext(self, string):
        return get_translations().ugettext(string)

    def ngettext(self, singular, plural, n):
        return get_translations().ungettext(singular, plural, n)


catalog_translations = CatalogTranslations()


class TranslatedMeta:
    """Meta options that make WTForms translate its own messages with our catalogs and clean its texts."""

    def get_translations(self, form):
        return catalog_translations

    def bind_field(self, form, unbound_field, options):
        """Put the control-character filter first on every text field but passwords, and a range on whole numbers."""
        field_class = unbound_field.field_class
        if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
            clean = partial(clean_text, multiline=issubclass(field_class, TextAreaField))
            options["filters"] = [clean, *unbound_field.kwargs.get("filters", ())]
        elif issubclass(field_class, IntegerField):
            options["filters"] = [database_integer, *unbound_field.kwargs.get("filters", ())]
            options["validators"] = [*unbound_field.kwargs.get("validators", ()), NumberRange(*DATABASE_INTEGER)]
        return super().bind_field(form, unbound_field, options)


class FlaskForm(flask_wtf.FlaskForm):
    """A form bound to the request, with CSRF, speaking the viewer's language."""

    class Meta(TranslatedMeta):
        def wrap_formdata(self, form, formdata):
            """Read what an HTML form sends: its fields, and files only under the names of file fields.

            Flask-WTF would also read a JSON body (a number or a list as a
            text field's value) and hand an uploaded file to any field of its
            name; either reached a validator as a type it cannot handle, a
            server error. Now they are simply not there.
            """
            if formdata is not _Auto or not form.is_submitted():
                return super().wrap_formdata(form, formdata)
            file_fields = {field.name for field in form if isinstance(field, FileField)}
            files = MultiDict([(name, upload) for name, upload in request.files.items(multi=True) if name in file_fields])
            return CombinedMultiDict((files, request.form))


class Form(wtforms.Form):
    """A subform for FormField or FieldList, speaking the viewer's language."""

    Meta = TranslatedMeta


#: The longest search text a query string's ``q`` is read to: longer than any name, e-mail or phone,
#: far shorter than the 50,000 bytes SQLite allows a LIKE pattern.
SEARCH_MAX_LENGTH = 200


def search_text(args):
    """Return the ``q`` of a query string as a search box's text: cleaned like a form field, trimmed, cut short."""
    return clean_text(args.get("q", "")).strip()[:SEARCH_MAX_LENGTH]


def options(pairs):
    """Turn (value, label) pairs into the SelectChoice objects WTForms wants."""
    return [SelectChoice(value, label) for value, label in pairs]


#: An empty form's fields: (name, locale) -> HTML.
_pristine = Fragments(64)


def pristine(name, render, form):
    """Return `render(form)`, rendered once per locale and process while `form` is empty.

    A public form's fields (the application's several hundred options,
    a sign-up's name, phone and seats) read the same for every visitor in
    one language until someone submits; only the CSRF token, rendered
    outside them, differs. Building them took most of those pages' time.
    A submitted form (with answers or errors) is always rendered.
    """
    if form.is_submitted():
        return render(form)
    return _pristine.get((name, str(get_locale())), render, form)


def init_app(app):
    """Let every template render an empty form's fields once."""
    app.add_template_global(pristine)


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


def normalised_phone(number):
    """Return a phone number in the stored form, or raise ValidationError in the viewer's language."""
    phone = normalise_phone(number)
    if phone is None:
        raise ValidationError(_l("Enter a phone number, e.g. 22 33 44 55 or +46 70 123 45 67."))
    return phone


class ContactFields:
    """For forms with `phone` and `email` fields: both are kept in the form the registry stores."""

    def validate_phone(self, field):
        field.data = normalised_phone(field.data)

    def validate_email(self, field):
        field.data = field.data.strip().lower()
