"""The dashboard's filters: a GET form, so every view of the figures has its own address."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from app.forms import FlaskForm

CHART_MONTHS = (12, 24, 36)


class DashboardFilterForm(FlaskForm):
    class Meta:
        csrf = False

    as_of = DateField(_l("Figures as of"), validators=[Optional()])
    organisation = SelectField(_l("Organisation"), coerce=int, validators=[Optional()])
    months = SelectField(_l("Chart period"), coerce=int, default=12, validators=[Optional()])
    figure = SelectField(_l("Map shows"), default="operating", validators=[Optional()])
