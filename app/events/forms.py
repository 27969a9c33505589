"""Forms for browsing activities, signing up, and managing venues and activities.

Choices that depend on the viewer (their municipalities and venues, language
names in their language) are filled in `__init__`, so a failed submit
re-renders with everything they typed.
"""
from datetime import timedelta

from flask import current_app, request
from flask_babel import get_locale, gettext, lazy_gettext as _l, lazy_ngettext
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from app.events.models import ACCESSIBILITY, AUDIENCES, CATEGORIES
from app.events.services import ActivityDetails, weekly_rule
from app.forms import ContactFields, FlaskForm, Form, choice_required, email_address, options, required
from app.i18n import language_name as interface_language_name
from app.municipalities.refdata import find_postcode_area
from app.people.forms import MultiCheckboxField
from app.people.languages import language_choices
from app.timeutil import LOCAL_ZONE

#: Household members one sign-up may bring ("me and 9 more").
MAX_EXTRA_SEATS = 9
DATE_TITLES = {"today": _l("Today"), "week": _l("This week"), "month": _l("This month")}
WEEKDAYS = {"MO": _l("Monday"), "TU": _l("Tuesday"), "WE": _l("Wednesday"), "TH": _l("Thursday"),
            "FR": _l("Friday"), "SA": _l("Saturday"), "SU": _l("Sunday")}


class GetFilterForm(FlaskForm):
    """Filters in a plain GET form, which works without JavaScript; a wrong value is ignored, not reported."""

    class Meta:
        csrf = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, formdata=request.args, **kwargs)
        self._checked = False

    def chosen(self, name):
        """The valid value of a filter, or its default."""
        if not self._checked:
            self.validate()
            self._checked = True
        field = self[name]
        return field.default if field.errors else field.data


class FilterForm(GetFilterForm):
    """The public list's filters."""

    municipality = SelectField(_l("Municipality"), coerce=int, default=0, validators=[Optional()])
    venue = SelectField(_l("Place"), coerce=int, default=0, validators=[Optional()])
    category = SelectField(_l("Kind"), default="", validators=[Optional()])
    date = SelectField(_l("When"), default="", validators=[Optional()])
    audience = SelectField(_l("For whom"), default="", validators=[Optional()])
    submit = SubmitField(_l("Show"))

    def __init__(self, municipalities, venues, *args, **kwargs):
        """`municipalities` and `venues` are (code or id, name) pairs."""
        super().__init__(*args, **kwargs)
        self.municipality.choices = options([(0, _l("All municipalities")), *municipalities])
        self.venue.choices = options([(0, _l("All places")), *venues])
        self.category.choices = options([("", _l("All kinds"))] + list(CATEGORIES.items()))
        self.date.choices = options([("", _l("Any time"))] + list(DATE_TITLES.items()))
        self.audience.choices = options([("", _l("Everyone"))] + [
            (key, title) for key, title in AUDIENCES.items() if key != "everyone"
        ])


#: Lazy, so a sign-up form built for a page whose fields are rendered already translates none of them.
SEAT_CHOICES = options([(0, _l("Just me"))] + [
    (n, lazy_ngettext("Me and %(num)d more", "Me and %(num)d more", n)) for n in range(1, MAX_EXTRA_SEATS + 1)
])


class SignUpForm(FlaskForm):
    """One tap for someone logged in: how many household members come along."""

    extra = SelectField(_l("Who is coming?"), coerce=int, default=0, choices=SEAT_CHOICES)
    submit = SubmitField(_l("Sign up"))


class ContactSignUpForm(ContactFields, SignUpForm):
    """Signing up without an account: a name and a way to reach the person."""

    name = StringField(_l("Your name"), validators=[required(), Length(max=200)])
    phone = StringField(_l("Phone number"), validators=[Optional(), Length(max=40)])
    email = StringField(_l("E-mail"), validators=[Optional(), email_address(), Length(max=254)])
    #: A honeypot: hidden from people, filled in by bots.
    website = StringField(_l("Leave this field empty"), validators=[Length(max=200)])

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        if not self.phone.data and not self.email.data:
            self.phone.errors.append(gettext("Give a phone number or an e-mail address, so we can reach you."))
            return False
        return True


class RegistrySignUpForm(SignUpForm):
    """A manager signs up someone from the registry."""

    person_id = IntegerField(validators=[required()])
    #: Sign up their friend from an active match too (seats for both or none).
    with_friend = BooleanField()


class AttendanceForm(FlaskForm):
    """Ticks at the door for the confirmed sign-ups, and a count of walk-ins."""

    attended = MultiCheckboxField(_l("Came"), coerce=int)
    walk_ins = IntegerField(_l("Came without signing up"), validators=[Optional(), NumberRange(min=0, max=10_000)])
    submit = SubmitField(_l("Save attendance"))

    def __init__(self, confirmed, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.attended.choices = options([(s.id, s.name) for s in confirmed])


class AttendanceFilterForm(GetFilterForm):
    """Which attendance to chart."""

    venue = SelectField(_l("Place"), coerce=int, default=0, validators=[Optional()])
    category = SelectField(_l("Kind"), default="", validators=[Optional()])
    months = SelectField(_l("Months back"), coerce=int, default=12, validators=[Optional()])

    def __init__(self, venues, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.venue.choices = options([(0, _l("All places"))] + [(v.id, v.name) for v in venues])
        self.category.choices = options([("", _l("All kinds"))] + list(CATEGORIES.items()))
        self.months.choices = options([(n, str(n)) for n in (3, 6, 12, 24)])


class CancelForm(FlaskForm):
    """Cancelling a date; for a series, also which of its dates."""

    scope = RadioField(_l("This date is part of a series. Which dates are cancelled?"), default="date",
                       choices=options([("date", _l("This date only")),
                                        ("following", _l("This and all following dates")),
                                        ("series", _l("Every coming date of the series"))]),
                       validators=[Optional()])


class VenueForm(FlaskForm):
    name = StringField(_l("Name"), validators=[required(), Length(max=120)])
    municipality_code = SelectField(_l("Municipality"), coerce=int, validators=[choice_required()])
    address = StringField(_l("Address"), validators=[required(), Length(max=200)])
    postcode = StringField(_l("Postcode"), validators=[required()])
    opening_notes = TextAreaField(_l("Opening notes"), validators=[Optional(), Length(max=2000)],
                                  description=_l("E.g. opening hours, which door to use, whom to ask for."))
    step_free = BooleanField(ACCESSIBILITY["step_free"])
    hearing_loop = BooleanField(ACCESSIBILITY["hearing_loop"])
    child_friendly = BooleanField(ACCESSIBILITY["child_friendly"])
    accessible_toilet = BooleanField(ACCESSIBILITY["accessible_toilet"])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, municipalities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality_code.choices = options([(m.code, m.name) for m in municipalities])

    def validate_postcode(self, field):
        if find_postcode_area(field.data) is None:
            raise ValidationError(_l("This is not a Danish postcode we know."))
        field.data = field.data.strip()


class TextForm(Form):
    """Title and description in one interface language."""

    locale = HiddenField()
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])


class ActivityForm(FlaskForm):
    """One activity date or a weekly series; the same form edits either."""

    venue_id = SelectField(_l("Place"), coerce=int, validators=[choice_required()])
    category = SelectField(_l("Kind"), validators=[choice_required()])
    day = DateField(_l("Date"), validators=[required()], description=_l("For a series, the first date."))
    start_time = TimeField(_l("Starts at"), validators=[required()])
    end_time = TimeField(_l("Ends at"), validators=[required()])
    repeat_weekdays = MultiCheckboxField(_l("Repeat every week on"))
    repeat_until = DateField(_l("Repeat until"), validators=[Optional()])
    scope = RadioField(_l("This date is part of a series. Which dates change?"), default="date", validators=[Optional()])
    texts = FieldList(FormField(TextForm))
    capacity = IntegerField(_l("Seats"), validators=[Optional(), NumberRange(min=1, max=10_000)],
                            description=_l("Leave empty for no limit. Household members count as seats."))
    host_slots = IntegerField(_l("Volunteer hosts wanted"), default=0,
                              validators=[Optional(), NumberRange(min=0, max=100)])
    audience = SelectField(_l("For whom"), default="everyone", validators=[choice_required()])
    languages = MultiCheckboxField(_l("Languages spoken"))
    interpreter = BooleanField(_l("Interpreter present"))
    price = IntegerField(_l("Price in kroner"), default=0, validators=[Optional(), NumberRange(min=0, max=100_000)],
                         description=_l("0 means free."))
    what_to_bring = StringField(_l("What to bring"), validators=[Optional(), Length(max=500)])
    missed_you = BooleanField(_l("Send a “we missed you” e-mail to people who had a seat but did not come"),
                              description=_l("Sent after the date, once attendance has been ticked at the door."))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, venues=(), **kwargs):
        super().__init__(*args, **kwargs)
        locales = current_app.config["LANGUAGES"]
        # One title and description per interface language, always in the configured order.
        while len(self.texts) < len(locales):
            self.texts.append_entry()
        while len(self.texts) > len(locales):
            self.texts.pop_entry()
        for entry, locale in zip(self.texts, locales):
            entry.form.locale.data = locale
            entry.language_name = interface_language_name(locale)
        self.venue_id.choices = options([(v.id, v.name) for v in venues])
        self.category.choices = options(list(CATEGORIES.items()))
        self.audience.choices = options(list(AUDIENCES.items()))
        self.repeat_weekdays.choices = options(list(WEEKDAYS.items()))
        self.scope.choices = options([
            ("date", _l("This date only")), ("following", _l("This and all following dates")),
        ])
        self.languages.choices = options(language_choices(str(get_locale())))

    @staticmethod
    def data_of(activity):
        """The form's data for an existing date, times in Denmark."""
        start, end = activity.starts_at.astimezone(LOCAL_ZONE), activity.ends_at.astimezone(LOCAL_ZONE)
        texts = {t.locale: t for t in activity.texts}
        return {
            "venue_id": activity.venue_id, "category": activity.category, "day": start.date(),
            "start_time": start.time(), "end_time": end.time(), "capacity": activity.capacity,
            "host_slots": activity.host_slots, "audience": activity.audience, "languages": activity.languages,
            "interpreter": activity.interpreter, "price": activity.price, "what_to_bring": activity.what_to_bring,
            "missed_you": activity.missed_you,
            "texts": [{"locale": locale, "title": texts[locale].title if locale in texts else "",
                       "description": (texts[locale].description or "") if locale in texts else ""}
                      for locale in current_app.config["LANGUAGES"]],
        }

    def validate_end_time(self, field):
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError(_l("The end must be after the start."))

    def validate_repeat_until(self, field):
        if self.repeat_weekdays.data and not field.data:
            raise ValidationError(_l("Choose the last date of the series."))
        if field.data and self.day.data and field.data < self.day.data:
            raise ValidationError(_l("The series must end on or after its first date."))

    def validate_texts(self, field):
        if not any(entry.form.title.data for entry in field):
            raise ValidationError(gettext("Give the activity a title in at least one language."))

    @property
    def duration(self):
        start = timedelta(hours=self.start_time.data.hour, minutes=self.start_time.data.minute)
        return timedelta(hours=self.end_time.data.hour, minutes=self.end_time.data.minute) - start

    @property
    def rule(self):
        """The RRULE of a new series, or None for a one-off date."""
        if not self.repeat_weekdays.data:
            return None
        return weekly_rule(self.repeat_weekdays.data, self.repeat_until.data)

    def details(self):
        return ActivityDetails(
            venue_id=self.venue_id.data,
            category=self.category.data,
            texts={e.form.locale.data: ((e.form.title.data or "").strip(), (e.form.description.data or "").strip())
                   for e in self.texts},
            capacity=self.capacity.data,
            host_slots=self.host_slots.data or 0,
            audience=self.audience.data,
            languages=self.languages.data,
            interpreter=self.interpreter.data,
            price=self.price.data or 0,
            what_to_bring=(self.what_to_bring.data or "").strip(),
            missed_you=self.missed_you.data,
        )
