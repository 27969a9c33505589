"""The public "become a volunteer friend" form and the managers' decline form."""
import sqlalchemy as sa
from flask_babel import get_locale, lazy_gettext as _l
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length

from app.extensions import db
from app.forms import FlaskForm, required
from app.municipalities.models import Municipality
from app.people.forms import VolunteerForm


class VolunteerApplicationForm(VolunteerForm):
    """What a volunteer tells us about themself; managers fill in the rest later."""

    # Managers' fields, not the applicant's (None removes an inherited field).
    notes = None
    child_certificate_on = None
    child_certificate_clean = None
    trainings = None
    family_members = None
    recruited_by = None
    save_anyway = None
    municipality_code = None
    postcode = StringField(
        _l("Postcode"),
        validators=[required(), Length(max=10)],
        description=_l("So we can find you a friend nearby."),
    )

    consent_matching = BooleanField(
        _l("I agree that my information is used to find a refugee friend for me."),
        validators=[required()],
    )
    consent_contact = BooleanField(
        _l("I agree to be contacted by the programme's volunteer managers."),
        validators=[required()],
    )
    consent_statistics = BooleanField(
        _l("My information may be used in anonymous statistics.")
    )
    #: Hidden from people; bots fill it in.
    website = StringField(_l("Leave this field empty"), validators=[Length(max=200)])
    submit = SubmitField(_l("Send my application"))

    contact_required = _l("Give a phone number or an e-mail address, so that we can contact you.")

    def __init__(self, *args, **kwargs):
        municipalities = db.session.scalars(sa.select(Municipality).order_by(Municipality.name)).all()
        super().__init__(*args, municipalities=municipalities, **kwargs)
        self.full_name.description = _l("As you write it, in any alphabet.")
        if not self.is_submitted():
            self.message_locale.data = str(get_locale())

    def profile_data(self):
        data = super(VolunteerForm, self).profile_data()
        data.update(
            municipality_code=self.postcode_area.municipality_code,
            capacity=self.capacity.data,
            max_distance_km=self.max_distance_km.data,
            consents={
                "matching": self.consent_matching.data,
                "contact": self.consent_contact.data,
                "statistics": self.consent_statistics.data,
            },
            consent_method="online",
        )
        return data


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason, sent to the applicant"),
        validators=[required(), Length(max=500)],
        description=_l("The applicant receives it by e-mail."),
    )
    submit = SubmitField(_l("Decline and send e-mail"))
