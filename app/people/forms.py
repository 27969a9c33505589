"""Forms for registering and editing refugees and volunteers.

Choices that depend on the viewer (their municipalities, language names in
their language) are filled in `__init__`, so a failed submit re-renders with
everything the manager typed.
"""

from flask import current_app
from flask_babel import get_locale, gettext, lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import ContactFields, FlaskForm, Form, choice_required, email_address, options, required
from app.i18n import language_name as interface_language_name
from app.i18n.lists import split_list
from app.interests import group_name, interests
from app.municipalities.refdata import find_postcode_area
from app.people.languages import LEVEL_TITLES, language_choices
from app.people.models import (
    AVAILABILITY_TITLES,
    CONSENT_METHOD_TITLES,
    CERTIFICATE_WARNING_DAYS,
    CONSENT_PURPOSE_TITLES,
    GENDER_TITLES,
    MATCH_STATUSES,
    STATUS_TITLES,
    RefugeeStatus,
    VolunteerStatus,
)
from app.people.queries import PeopleFilter
from app.people.services import PROFILE_FIELDS, VOLUNTEER_FIELDS
from app.timeutil import today_local


def _year_validators():
    return [
        Optional(),
        NumberRange(
            min=1900,
            max=today_local().year,
            message=_l("Enter a year between %(min)s and %(max)s."),
        ),
    ]


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes; with none ticked the browser posts nothing, which is an empty list, not None."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)


class LanguageLevelForm(Form):
    code = SelectField(_l("Language"), validators=[Optional()])
    level = SelectField(_l("Level"), coerce=int, default=3)


class FamilyMemberForm(Form):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    birth_year = IntegerField(_l("Birth year"), validators=_year_validators())


class TrainingForm(Form):
    course = StringField(_l("Course"), validators=[Optional(), Length(max=200)])
    completed_on = DateField(_l("Completed on"), validators=[Optional()])

    def validate(self, extra_validators=None):
        """A course needs its date (checked here: an empty date's Optional() ends the date's own checks)."""
        valid = super().validate(extra_validators)
        if (self.course.data or "").strip() and self.completed_on.data is None and not self.completed_on.errors:
            self.completed_on.errors.append(_l("Enter the date the course was completed."))
            return False
        return valid


class PersonForm(ContactFields, FlaskForm):
    """Fields refugees and volunteers share."""

    #: Said when neither phone nor e-mail is given; the public form addresses the visitor instead.
    contact_required = _l("Give a phone number or an e-mail address, so the person can be reached.")

    full_name = StringField(
        _l("Full name"),
        validators=[required(), Length(max=200)],
        description=_l("As the person writes it, in any alphabet."),
    )
    latin_name = StringField(
        _l("Name in Latin letters"), validators=[Optional(), Length(max=200)]
    )
    phone = StringField(_l("Phone number"), validators=[Optional(), Length(max=40)])
    email = StringField(_l("E-mail"), validators=[Optional(), email_address(), Length(max=254)])
    message_locale = SelectField(_l("Language for messages"))
    birth_year = IntegerField(_l("Birth year"), validators=_year_validators())
    gender = SelectField(_l("Gender"), default="")
    postcode = StringField(
        _l("Postcode"),
        validators=[Optional(), Length(max=10)],
        description=_l("Four digits. The municipality is suggested from it."),
    )
    municipality_code = SelectField(_l("Municipality"), coerce=int, default=0)
    languages = FieldList(FormField(LanguageLevelForm), min_entries=4, max_entries=12)
    interests = MultiCheckboxField(_l("Interests"))
    other_interests = StringField(
        _l("Other interests"),
        validators=[Length(max=500)],
        description=_l("Separate with commas, in any language; they are matched to the list above."),
    )
    available_weekday_day = BooleanField(_l("Weekdays, daytime"))
    available_weekday_evening = BooleanField(_l("Weekday evenings"))
    available_weekend = BooleanField(_l("Weekends"))
    wants_gender = SelectField(_l("Friend's gender"), default="")
    age_min = IntegerField(_l("Friend's age from"), validators=[Optional(), NumberRange(min=0, max=120)])
    age_max = IntegerField(_l("to"), validators=[Optional(), NumberRange(min=0, max=120)])
    notes = TextAreaField(
        _l("Notes for managers"),
        validators=[Optional(), Length(max=4000)],
        description=_l("Only volunteer managers see these notes."),
    )
    #: Set when the manager has seen the duplicate warning and saves anyway.
    save_anyway = HiddenField(default="")
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, municipalities=(), **kwargs):
        super().__init__(*args, **kwargs)
        locale = str(get_locale())
        self.allowed_municipalities = {m.code: m for m in municipalities}
        if "municipality_code" in self:
            self.municipality_code.choices = options([(0, _l("From the postcode"))] + [
                (m.code, m.name) for m in municipalities
            ])
        self.message_locale.choices = options([
            (c, interface_language_name(c)) for c in current_app.config["LANGUAGES"]
        ])
        genders = [(g.value, title) for g, title in GENDER_TITLES.items()]
        self.gender.choices = options([("", _l("Not given"))] + genders)
        self.wants_gender.choices = options([("", _l("No preference"))] + genders)
        language_options = options([("", _l("Choose a language"))] + language_choices(locale))
        for entry in self.languages:
            entry.code.choices = language_options
            entry.level.choices = options(list(LEVEL_TITLES.items()))
        self.interests.choices = options([
            (key, interest.name(locale)) for key, interest in interests().items()
        ])
        self.interest_groups = _interest_groups(locale)

    def validate_postcode(self, field):
        area = find_postcode_area(field.data)
        if area is None:
            raise ValidationError(_l("This is not a Danish postcode we know."))
        field.data = field.data.strip()
        self.postcode_area = area

    def validate_municipality_code(self, field):
        if not field.data:
            area = getattr(self, "postcode_area", None)
            if area is None:
                raise ValidationError(_l("Choose a municipality or enter a postcode."))
            field.data = area.municipality_code
        if field.data not in self.allowed_municipalities:
            raise ValidationError(_l("You do not manage people in this municipality."))

    def validate_age_max(self, field):
        if self.age_min.data is not None and field.data is not None and field.data < self.age_min.data:
            raise ValidationError(_l("The upper age must not be below the lower age."))

    def validate_languages(self, field):
        codes = [entry.code.data for entry in field if entry.code.data]
        if len(codes) != len(set(codes)):
            # FieldList keeps the message as given; a plain str renders like the others.
            raise ValidationError(gettext("Each language only once, please."))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if not (self.phone.data or self.email.data):
            self.phone.errors = list(self.phone.errors) + [self.contact_required]
            valid = False
        return valid

    def profile_data(self):
        """Return the validated profile as the plain dict services.apply_profile takes."""
        data = {name: getattr(self, name).data for name in PROFILE_FIELDS if name in self}
        data["message_locale"] = self.message_locale.data
        data["languages"] = {e.code.data: e.level.data for e in self.languages if e.code.data}
        data["interests"] = list(self.interests.data or []) + split_list(self.other_interests.data)
        return data


def _interest_groups(locale):
    """Return [(group title, [interest keys])] in taxonomy order, for grouped checkboxes."""
    grouped = {}
    for key, interest in interests().items():
        grouped.setdefault(interest.group, []).append(key)
    return [(group_name(group, locale), keys) for group, keys in grouped.items()]


class RefugeeForm(PersonForm):
    hopes = TextAreaField(_l("What they hope for"), validators=[Optional(), Length(max=4000)])
    family = BooleanField(_l("Would like a family as friends"))
    arrived_on = DateField(_l("Arrived in the municipality on"), validators=[Optional()])
    household_adults = IntegerField(
        _l("Adults in the household"), validators=[Optional(), NumberRange(min=1, max=20)]
    )
    children_birth_years = StringField(
        _l("Children's birth years"),
        validators=[Length(max=200)],
        description=_l("Children under 18 in the household, e.g. 2015, 2019."),
    )

    def validate_arrived_on(self, field):
        if field.data and field.data > today_local():
            raise ValidationError(_l("The arrival date cannot be in the future."))

    def validate_children_birth_years(self, field):
        years = []
        for part in split_list(field.data):
            if not part.isdecimal() or not today_local().year - 18 <= int(part) <= today_local().year:
                raise ValidationError(
                    _l("Write the birth years of children under 18, separated by commas.")
                )
            years.append(int(part))
        self.children_years = years

    def profile_data(self):
        data = super().profile_data()
        data.update(
            arrived_on=self.arrived_on.data,
            household_adults=self.household_adults.data,
            children_birth_years=self.children_years,
        )
        return data


class VolunteerForm(PersonForm):
    hopes = TextAreaField(_l("What they can offer"), validators=[Optional(), Length(max=4000)])
    family = BooleanField(_l("Volunteers as a family"))
    capacity = SelectField(
        _l("Friends at once"), coerce=int, choices=options([(1, "1"), (2, "2"), (3, "3")]), default=1
    )
    max_distance_km = IntegerField(
        _l("Will travel up to (km)"), validators=[Optional(), NumberRange(min=0, max=300)]
    )
    family_members = FieldList(FormField(FamilyMemberForm), min_entries=3, max_entries=10)
    child_certificate_on = DateField(_l("Child certificate (børneattest) dated"), validators=[Optional()])
    child_certificate_clean = BooleanField(_l("The child certificate has no remarks"))
    trainings = FieldList(FormField(TrainingForm), min_entries=2, max_entries=10)
    recruited_by = StringField(
        _l("Recruited through"),
        validators=[Optional(), Length(max=120)],
        description=_l("Campaign or source, e.g. a library meeting or Facebook."),
    )

    def profile_data(self):
        data = super().profile_data()
        data.update({name: getattr(self, name).data for name in VOLUNTEER_FIELDS})
        data["family_members"] = [
            (m.form.name.data.strip(), m.form.birth_year.data)
            for m in self.family_members
            if (m.form.name.data or "").strip()
        ]
        data["trainings"] = [
            (t.form.course.data.strip(), t.form.completed_on.data)
            for t in self.trainings
            if (t.form.course.data or "").strip()
        ]
        return data


class ConsentForm(FlaskForm):
    purpose = SelectField(_l("Purpose"))
    given = SelectField(
        _l("Answer"), choices=options([("yes", _l("Consents")), ("no", _l("Does not consent"))])
    )
    method = SelectField(_l("How it was given"))
    submit = SubmitField(_l("Record consent"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.purpose.choices = options(list(CONSENT_PURPOSE_TITLES.items()))
        self.method.choices = options(list(CONSENT_METHOD_TITLES.items()))


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"), validators=[choice_required()])
    note = StringField(_l("Reason or note"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Change status"))

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        statuses = RefugeeStatus if person.kind == "refugee" else VolunteerStatus
        self.status.choices = options(
            [("", _l("Choose a status"))]
            + [(s.value, STATUS_TITLES[s]) for s in statuses
               if s != person.status and s not in MATCH_STATUSES]
        )


class OwnAvailabilityForm(FlaskForm):
    """What a volunteer may change about themselves on their own page."""

    slots = MultiCheckboxField(_l("When are you usually free?"))
    capacity = SelectField(_l("How many friends at once?"), coerce=int,
                           choices=options([(1, "1"), (2, "2"), (3, "3")]), default=1)
    paused = BooleanField(_l("Pause: no new friend for now"))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.slots.choices = options(list(AVAILABILITY_TITLES.items()))


class InitialConsent:
    """Consent asked when a person is registered; later changes go through ConsentForm."""

    consent_matching = BooleanField(CONSENT_PURPOSE_TITLES["matching"])
    consent_contact = BooleanField(CONSENT_PURPOSE_TITLES["contact"])
    consent_statistics = BooleanField(CONSENT_PURPOSE_TITLES["statistics"])
    consent_method = SelectField(
        _l("How consent was given"), choices=options(CONSENT_METHOD_TITLES.items())
    )

    def profile_data(self):
        data = super().profile_data()
        data["consents"] = {
            purpose: getattr(self, f"consent_{purpose}").data for purpose in CONSENT_PURPOSE_TITLES
        }
        data["consent_method"] = self.consent_method.data
        return data


class NewRefugeeForm(InitialConsent, RefugeeForm):
    pass


class NewVolunteerForm(InitialConsent, VolunteerForm):
    pass


class PeopleFilterForm(FlaskForm):
    """The filters above a list of people, read from the query string."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), description=_l("Name in any spelling, phone or e-mail"))
    municipality = SelectField(_l("Municipality"), coerce=int, default=0)
    status = SelectField(_l("Status"), default="")
    language = SelectField(_l("Language"), default="")
    interest = SelectField(_l("Interest"), default="")
    min_days_waiting = IntegerField(
        _l("Waiting at least (days)"), validators=[Optional(), NumberRange(min=0, max=36_500)]
    )
    sort = SelectField(_l("Sort by"), default="name")
    archived = BooleanField(_l("Show archived"))
    certificate_expiring = BooleanField(
        _l("Child certificate runs out within %(days)d days", days=CERTIFICATE_WARNING_DAYS)
    )

    def __init__(self, formdata, kind, municipalities):
        super().__init__(formdata)
        locale = str(get_locale())
        statuses = RefugeeStatus if kind == "refugee" else VolunteerStatus
        self.municipality.choices = options([(0, _l("All my municipalities"))] + [
            (m.code, m.name) for m in municipalities
        ])
        self.status.choices = options([("", _l("Any status"))] + [(s.value, STATUS_TITLES[s]) for s in statuses])
        self.language.choices = options([("", _l("Any language"))] + language_choices(locale))
        self.interest.choices = options([("", _l("Any interest"))] + [
            (key, interest.name(locale)) for key, interest in interests().items()
        ])
        self.sort.choices = options([("name", _l("Name")), ("newest", _l("Newest first"))] + (
            [("waiting", _l("Longest waiting"))] if kind == "refugee" else []
        ) + [("status", _l("Status"))])

    def criteria(self):
        """Return the valid filters as a PeopleFilter; invalid ones are ignored."""
        self.validate()

        def ok(field, empty):
            return empty if field.errors else field.data or empty

        return PeopleFilter(
            text=(self.q.data or "").strip(),
            municipality_code=ok(self.municipality, None),
            status=ok(self.status, ""),
            language=ok(self.language, ""),
            interest=ok(self.interest, ""),
            min_days_waiting=ok(self.min_days_waiting, None),
            sort=ok(self.sort, "name"),
            archived=bool(self.archived.data),
            certificate_expires_within=CERTIFICATE_WARNING_DAYS if self.certificate_expiring.data else None,
        )


class ImportForm(FlaskForm):
    file = FileField(
        _l("File"),
        validators=[FileRequired(message=_l("Choose a file to import."))],
        description=_l("CSV (comma or semicolon) or XLSX, with a header row as in the template."),
    )
    submit = SubmitField(_l("Check the file"))


class ConfirmImportForm(FlaskForm):
    token = HiddenField(validators=[required()])
    submit = SubmitField(_l("Import"))
