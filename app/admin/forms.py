"""Forms for administering users and organisations."""
import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import Length, Optional, ValidationError

from app.auth.models import ROLE_TITLES, Organisation, Role, User
from app.extensions import db
from app.forms import FlaskForm, choice_required, email_address, normalised_phone, options, required
from app.i18n import language_name
from app.municipalities.models import Municipality


class UserForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[required(), Length(max=200)])
    email = StringField(_l("E-mail"), validators=[required(), email_address(), Length(max=254)])
    phone = StringField(
        _l("Phone number"),
        validators=[Optional()],
        description=_l("Danish numbers without +45; others with their country code."),
    )
    role = SelectField(_l("Role"), validators=[choice_required()])
    locale = SelectField(_l("Language for e-mails and pages"), validators=[choice_required()])
    organisation_id = SelectField(_l("Organisation"), coerce=int, default=0)
    municipality_codes = SelectMultipleField(
        _l("Municipalities"),
        coerce=int,
        description=_l("Managers see people in these municipalities only."),
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._user = user
        self.role.choices = options([(role.value, ROLE_TITLES[role]) for role in Role])
        self.locale.choices = options([(c, language_name(c)) for c in current_app.config["LANGUAGES"]])
        organisations = db.session.scalars(sa.select(Organisation).order_by(Organisation.name))
        self.organisation_id.choices = options([(0, _l("None"))] + [(o.id, o.name) for o in organisations])
        municipalities = db.session.scalars(sa.select(Municipality).order_by(Municipality.name))
        self.municipality_codes.choices = options([(m.code, m.name) for m in municipalities])

    def _taken(self, column, value):
        query = sa.select(User.id).where(column == value)
        if self._user is not None:
            query = query.where(User.id != self._user.id)
        return db.session.scalar(query) is not None

    def validate_email(self, field):
        field.data = field.data.strip().lower()
        if self._taken(User.email, field.data):
            raise ValidationError(_l("Another user already has this e-mail address."))

    def validate_phone(self, field):
        phone = normalised_phone(field.data)
        if self._taken(User.phone, phone):
            raise ValidationError(_l("Another user already has this phone number."))
        field.data = phone

    def validate_organisation_id(self, field):
        if self.role.data == Role.MANAGER and not field.data:
            raise ValidationError(_l("A volunteer manager must belong to an organisation."))

    def validate_municipality_codes(self, field):
        if self.role.data == Role.MANAGER and not field.data:
            raise ValidationError(_l("Choose at least one municipality for a volunteer manager."))


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[required(), Length(max=120)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._organisation = organisation

    def validate_name(self, field):
        field.data = field.data.strip()
        # The same name exactly too: SQLite's lower() folds only ASCII letters, so "Ærø" would pass it.
        query = sa.select(Organisation.id).where(sa.or_(
            Organisation.name == field.data, sa.func.lower(Organisation.name) == field.data.lower()))
        if self._organisation is not None:
            query = query.where(Organisation.id != self._organisation.id)
        if db.session.scalar(query) is not None:
            raise ValidationError(_l("An organisation with this name already exists."))
