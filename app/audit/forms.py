"""The reason asked before any export of personal data, and the filters of the administrators' log."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import Length, NumberRange, Optional

from app.audit.models import ACTION_TITLES
from app.forms import FlaskForm, options, required


class ExportReasonForm(FlaskForm):
    """Why personal data leave the platform: kept in the audit log with the export."""

    reason = StringField(
        _l("Why are you exporting these data?"), validators=[required(), Length(max=500)],
        description=_l("For example: the municipality asked for a list of waiting refugees."),
    )
    submit = SubmitField(_l("Download"))


class AuditFilterForm(FlaskForm):
    """The filters above the administrators' log, read from the query string."""

    class Meta:
        csrf = False

    user = SelectField(_l("User"), coerce=int, default=0)
    person = IntegerField(_l("Record number"), validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])
    action = SelectField(_l("Action"), default="")
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])

    def __init__(self, formdata, users):
        super().__init__(formdata)
        self.user.choices = options([(0, _l("Any user"))] + [(u.id, u.full_name) for u in users])
        self.action.choices = options([("", _l("Any action"))] + list(ACTION_TITLES.items()))
