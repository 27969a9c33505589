"""Forms for proposing, answering and ending matches."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from app.forms import FlaskForm, choice_required, options, required
from app.matches.models import END_REASONS, SIDE_TITLES


class ProposeForm(FlaskForm):
    volunteer_id = IntegerField(validators=[InputRequired()])
    override_reason = StringField(
        _l("Reason to propose a pair the rules exclude"), validators=[Optional(), Length(max=500)]
    )
    submit = SubmitField(_l("Propose match"))


class VolunteerSearchForm(FlaskForm):
    """Find a volunteer to propose by hand, from the query string (works without JavaScript)."""

    class Meta:
        csrf = False

    volunteer = StringField(
        _l("Find a volunteer"), description=_l("Name in any spelling, phone or e-mail"),
        validators=[Optional(), Length(max=200)],
    )


class AnswerForm(FlaskForm):
    side = SelectField(_l("Who answers"), choices=options(SIDE_TITLES.items()), validators=[choice_required()])
    answer = HiddenField(validators=[required(), AnyOf(("yes", "no"))])
    reason = StringField(_l("Reason for saying no"), validators=[Optional(), Length(max=500)])

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.answer.data == "no" and not (self.reason.data or "").strip():
            self.reason.errors = list(self.reason.errors) + [_l("Give a reason when a match is declined.")]
            valid = False
        return valid


class EndForm(FlaskForm):
    reason = SelectField(_l("Why did it end?"), choices=options(END_REASONS.items()), validators=[choice_required()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    back_to_waiting = BooleanField(_l("Put the refugee back on the waiting list"), default=True)
    submit = SubmitField(_l("End the match"))


class BatchForm(FlaskForm):
    #: "refugee id-volunteer id"; each pair is checked when it is proposed. None ticked is an empty list.
    pairs = SelectMultipleField(_l("Proposals"), validate_choice=False, default=list)
    submit = SubmitField(_l("Propose the ticked matches"))
