"""Forms for agreements: the details, a new agreement, a document, the list's filters."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from app.agreements.models import AGREEMENT_STATUS_TITLES, AgreementStatus
from app.agreements.services import DETAIL_FIELDS, EXPIRING_DAYS
from app.auth.models import Organisation, Role, User
from app.extensions import db
from app.forms import FlaskForm, choice_required, email_address, options
from app.municipalities.models import Region


def _organisations():
    return [(o.id, o.name) for o in db.session.scalars(sa.select(Organisation).order_by(Organisation.name))]


class AgreementForm(FlaskForm):
    status = SelectField(_l("Status"), validators=[choice_required()])
    signed_on = DateField(_l("Signed on"), validators=[Optional()])
    valid_from = DateField(_l("Valid from"), validators=[Optional()])
    valid_to = DateField(_l("Valid until"), validators=[Optional()],
                         description=_l("Leave empty for an agreement without an end date."))
    municipal_contact = StringField(_l("Contact person at the municipality"), validators=[Optional(), Length(max=200)])
    municipal_contact_email = StringField(
        _l("Their e-mail"), validators=[Optional(), email_address(), Length(max=254)]
    )
    coordinator_id = SelectField(_l("Local coordinator"), coerce=int, default=0,
                                 description=_l("Receives the renewal reminder with the organisation's managers."))
    municipality_commitments = TextAreaField(_l("The municipality commits to"), validators=[Optional()])
    organisation_commitments = TextAreaField(_l("The organisation commits to"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional()])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = options([(s.value, AGREEMENT_STATUS_TITLES[s]) for s in AgreementStatus])
        staff = db.session.scalars(
            sa.select(User).where(User.role.in_((Role.MANAGER, Role.HEAD_OFFICE)), User.is_enabled)
            .order_by(User.full_name)
        )
        self.coordinator_id.choices = options([(0, _l("None"))] + [(u.id, u.full_name) for u in staff])

    def validate_status(self, field):
        # Here, not on signed_on, whose Optional() stops its own checks when it is empty.
        if field.data == AgreementStatus.SIGNED and not self.signed_on.data:
            raise ValidationError(_l("A signed agreement needs the date it was signed."))

    def validate_valid_to(self, field):
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError(_l("The end date must be on or after the start date."))

    def details(self):
        """The fields as services.create and services.update take them."""
        data = {name: getattr(self, name).data for name in DETAIL_FIELDS}
        data["coordinator_id"] = data["coordinator_id"] or None
        for name in ("municipal_contact", "municipal_contact_email", "municipality_commitments",
                     "organisation_commitments", "notes"):
            data[name] = (data[name] or "").strip() or None
        return data


class NewAgreementForm(AgreementForm):
    municipality_code = SelectField(_l("Municipality"), coerce=int, validators=[choice_required()])
    organisation_id = SelectField(_l("Organisation"), coerce=int, validators=[choice_required()])

    def __init__(self, *args, municipalities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality_code.choices = options([(m.code, m.name) for m in municipalities])
        self.organisation_id.choices = options(_organisations())


class DocumentForm(FlaskForm):
    file = FileField(_l("Document (PDF or DOCX)"), validators=[FileRequired(message=_l("Choose a file."))])
    submit = SubmitField(_l("Attach"))


EXPIRY_CHOICES = {
    "soon": _l("Runs out within %(days)d days", days=EXPIRING_DAYS),
    "past": _l("Past its end date"),
    "open": _l("No end date"),
}


class AgreementFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), default="")
    region = SelectField(_l("Region"), coerce=int, default=0)
    expiry = SelectField(_l("Expiry"), default="")

    def __init__(self, formdata):
        super().__init__(formdata)
        self.status.choices = options([("", _l("Any status"))] + [(s.value, AGREEMENT_STATUS_TITLES[s]) for s in AgreementStatus])
        regions = db.session.scalars(sa.select(Region).order_by(Region.name))
        self.region.choices = options([(0, _l("All regions"))] + [(r.id, r.name) for r in regions])
        self.expiry.choices = options([("", _l("Any"))] + list(EXPIRY_CHOICES.items()))

    def criteria(self):
        """The valid filters as keyword arguments of services.agreements_query."""
        self.validate()
        return {
            "status": "" if self.status.errors else self.status.data or "",
            "region_id": 0 if self.region.errors else self.region.data or 0,
            "expiry": "" if self.expiry.errors else self.expiry.data or "",
        }
