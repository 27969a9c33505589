from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from app.followup.models import MEETINGS
from app.forms import FlaskForm, choice_required, options

RATINGS = {
    5: _l("5 – very well"),
    4: _l("4 – well"),
    3: _l("3 – all right"),
    2: _l("2 – not so well"),
    1: _l("1 – not well"),
}


class CheckInForm(FlaskForm):
    meetings = SelectField(_l("How often have you met?"), choices=options(MEETINGS.items()),
                           validators=[choice_required()])
    rating = RadioField(_l("How is the friendship going?"), coerce=int, choices=options(RATINGS.items()),
                        validators=[choice_required()])
    wants_call = BooleanField(_l("I would like a call from the volunteer manager"))
    comment = TextAreaField(_l("Anything else you want to tell us?"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Send"))
