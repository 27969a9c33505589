"""A person's complete data, for the person themself (GDPR right of access and portability).

The registry writes its own sections (profile, languages, interests,
household, consents, status history) and asks the features for theirs
through `person_data_sections` (matches, check-ins, activities, the audit
log), so it imports none of them. Everything is gathered under the
person's own locale: headings and labels are in the language they read.
The same sections make the JSON file (for machines) and the printable page.
"""
import json
from datetime import date, datetime

from flask import current_app, render_template
from flask_babel import force_locale, format_date, format_datetime, gettext as _

from app.i18n import language_name as interface_language_name, text_direction
from app.i18n.names import interest_name, spoken_language_name
from app.people.languages import LEVEL_TITLES
from app.people.models import GENDER_TITLES
from app.signals import DataSection, person_data_sections
from app.timeutil import now_utc


def person_locale(person):
    """The language the person reads: their language for messages, if the interface has it."""
    locale = person.message_locale
    return locale if locale in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]


def plain(value):
    """A value as JSON holds it: dates as ISO 8601 text, translatable strings as text."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


def readable(value):
    """A value as the person reads it on the printable page, in the current locale and Danish time."""
    if isinstance(value, datetime):
        return format_datetime(value, "medium")
    if isinstance(value, date):
        return format_date(value, "long")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return "–" if value is None or value == "" else str(value)


def _section(key, title, columns, rows, convert=lambda value: value):
    return DataSection(
        key, str(title), [(k, str(label)) for k, label in columns],
        [{k: convert(row.get(k)) for k, _label in columns} for row in rows],
    )


def _profile(person):
    refugee = person.kind == "refugee"
    fields = [
        ("id", _("Record number"), person.id),
        ("kind", _("Kind"), _("Refugee") if refugee else _("Volunteer")),
        ("full_name", _("Full name"), person.full_name),
        ("latin_name", _("Name in Latin letters"), person.latin_name),
        ("phone", _("Phone number"), person.phone),
        ("email", _("E-mail"), person.email),
        ("message_locale", _("Language for messages"), interface_language_name(person.message_locale)),
        ("birth_year", _("Birth year"), person.birth_year),
        ("gender", _("Gender"), GENDER_TITLES.get(person.gender)),
        ("postcode", _("Postcode"), person.postcode),
        ("municipality", _("Municipality"), person.municipality.name),
        ("status", _("Status"), person.status_title),
        ("hopes", _("What they hope for") if refugee else _("What they can offer"), person.hopes),
        ("available_weekday_day", _("Weekdays, daytime"), person.available_weekday_day),
        ("available_weekday_evening", _("Weekday evenings"), person.available_weekday_evening),
        ("available_weekend", _("Weekends"), person.available_weekend),
        ("family", _("Would like a family as friends") if refugee else _("Volunteers as a family"), person.family),
        ("wants_gender", _("Friend's gender"), GENDER_TITLES.get(person.wants_gender)),
        ("age_min", _("Friend's age from"), person.age_min),
        ("age_max", _("Friend's age to"), person.age_max),
        ("notes", _("Notes for managers"), person.notes),
    ]
    if refugee:
        fields += [
            ("arrived_on", _("Arrived in the municipality on"), person.arrived_on),
            ("household_adults", _("Adults in the household"), person.household_adults),
            ("children_birth_years", _("Children's birth years"),
             ", ".join(str(child.birth_year) for child in person.household_children)),
        ]
    else:
        fields += [
            ("capacity", _("Friends at once"), person.capacity),
            ("max_distance_km", _("Will travel up to (km)"), person.max_distance_km),
            ("child_certificate_on", _("Child certificate (børneattest) dated"), person.child_certificate_on),
            ("child_certificate_clean", _("The child certificate has no remarks"), person.child_certificate_clean),
            ("recruited_by", _("Recruited through"), person.recruited_by),
        ]
    fields += [("created_at", _("Registered"), person.created_at), ("archived_at", _("Archived"), person.archived_at)]
    return _section("profile", _("Your record"), [(k, label) for k, label, _v in fields],
                    [{k: value for k, _label, value in fields}])


def _registry_sections(person):
    sections = [
        _profile(person),
        _section("languages", _("Languages"), [("code", _("Code")), ("language", _("Language")), ("level", _("Level"))],
                 [{"code": l.code, "language": spoken_language_name(l.code), "level": LEVEL_TITLES.get(l.level)}
                  for l in person.languages]),
        _section("interests", _("Interests"), [("key", _("Code")), ("interest", _("Interest"))],
                 [{"key": key, "interest": interest_name(key)} for key in person.interest_keys]),
        _section("consents", _("Consent"), [
            ("purpose", _("Purpose")), ("given", _("Answer")), ("method", _("How it was given")),
            ("recorded_at", _("When")),
        ], [{"purpose": c.purpose_title, "given": c.given, "method": c.method_title, "recorded_at": c.recorded_at}
            for c in person.consents]),
        _section("status_history", _("Status history"), [
            ("status", _("Status")), ("changed_at", _("When")), ("note", _("Reason or note")),
        ], [{"status": change.status_title, "changed_at": change.changed_at, "note": note}
            for change, note in person.status_history]),
    ]
    if person.kind == "volunteer":
        sections += [
            _section("family_members", _("Family members"), [("name", _("Name")), ("birth_year", _("Birth year"))],
                     [{"name": m.name, "birth_year": m.birth_year} for m in person.family_members]),
            _section("trainings", _("Courses"), [("course", _("Course")), ("completed_on", _("Completed on"))],
                     [{"course": t.course, "completed_on": t.completed_on} for t in person.trainings]),
        ]
    return sections


def _answers(person):
    sections = []
    for _receiver, answer in person_data_sections.send(person):
        if answer:
            sections.extend(answer if isinstance(answer, list) else [answer])
    return sections


def gather(person, convert):
    """Return (locale, sections): every section of the person's data in their language, values through `convert`."""
    locale = person_locale(person)
    with force_locale(locale):
        sections = _registry_sections(person) + _answers(person)
        return locale, [_section(s.key, s.title, s.columns, s.rows, convert) for s in sections]


def as_json(person):
    """The person's data as a JSON document: sections by key, each with its heading, labels and rows."""
    locale, sections = gather(person, plain)
    document = {
        "person_id": person.id, "language": locale, "generated_at": plain(now_utc()),
        "sections": {s.key: {"title": s.title, "labels": dict(s.columns), "rows": s.rows} for s in sections},
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def as_html(person):
    """The person's data as one printable page in their language, with no outside resource."""
    locale, sections = gather(person, readable)
    with force_locale(locale):
        return render_template("people/data.html", person=person, sections=sections, locale=locale,
                               direction=text_direction(locale), generated_at=now_utc())
