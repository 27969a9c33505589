from flask_babel import lazy_gettext as _l
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length

from app.forms import FlaskForm, required


class EraseForm(FlaskForm):
    """The manager's confirmation: a reason is required, as erasure cannot be undone."""

    reason = TextAreaField(
        _l("Reason for the erasure"),
        validators=[required(), Length(max=500)],
        description=_l("For example: the person asked to be forgotten, by e-mail on 3 December. Do not write their name."),
    )
    submit = SubmitField(_l("Erase for good"))
