"""Registering, editing and following people; functions flush, callers commit."""
from app.audit.models import AuditAction
from app.audit.services import record
from app.extensions import db
from app.interests import map_interests
from app.people.models import (
    AVAILABILITY_TITLES,
    Consent,
    ConsentPurpose,
    FamilyMember,
    HouseholdChild,
    PersonInterest,
    PersonLanguage,
    Refugee,
    RefugeeStatus,
    StatusChange,
    StatusNote,
    Training,
    Volunteer,
    VolunteerStatus,
)
from app.people.names import name_key
from app.signals import answers, person_archivable
from app.timeutil import now_utc

#: The status a person starts in when a manager registers them.
INITIAL_STATUS = {"refugee": RefugeeStatus.WAITING, "volunteer": VolunteerStatus.AVAILABLE}
PROFILE_FIELDS = (
    "full_name", "latin_name", "phone", "email", "birth_year", "gender", "wants_gender", "postcode",
    "municipality_code", "hopes", "available_weekday_day", "available_weekday_evening",
    "available_weekend", "family", "age_min", "age_max", "notes",
)
REFUGEE_FIELDS = ("arrived_on", "household_adults")
VOLUNTEER_FIELDS = (
    "capacity", "max_distance_km", "child_certificate_on", "child_certificate_clean", "recruited_by",
)


def _fields_of(person):
    return PROFILE_FIELDS + (REFUGEE_FIELDS if person.kind == "refugee" else VOLUNTEER_FIELDS)


def apply_profile(person, data):
    """Copy profile `data` (a dict, as PersonForm.profile_data gives) onto `person`.

    Returns the free-text interests that matched nothing in the taxonomy.
    """
    for name in _fields_of(person):
        value = data.get(name)
        if isinstance(value, str):
            value = value.strip() or None
        setattr(person, name, value)
    person.message_locale = data.get("message_locale") or "da"
    person.name_key = name_key(person.full_name, person.latin_name)
    person.languages = [
        PersonLanguage(code=code, level=level) for code, level in data.get("languages", {}).items()
    ]
    wanted = data.get("interests", ())
    unmatched = [text for text in wanted if not map_interests([text])]
    person.interests = [PersonInterest(interest_key=key) for key in map_interests(wanted)]
    if person.kind == "refugee":
        person.household_children = [
            HouseholdChild(birth_year=year) for year in data.get("children_birth_years", ())
        ]
    else:
        person.family_members = [
            FamilyMember(name=name, birth_year=year) for name, year in data.get("family_members", ())
        ]
        person.trainings = [
            Training(course=course, completed_on=on) for course, on in data.get("trainings", ())
        ]
    return unmatched


def _profile_snapshot(person):
    """What a profile form can change, comparable before and after, to name the fields a change touched."""
    snapshot = {name: getattr(person, name) for name in _fields_of(person)}
    snapshot["message_locale"] = person.message_locale
    snapshot["languages"] = sorted((language.code, language.level) for language in person.languages)
    snapshot["interests"] = sorted(person.interest_keys)
    if person.kind == "refugee":
        snapshot["household_children"] = sorted(child.birth_year for child in person.household_children)
    else:
        snapshot["family_members"] = sorted((m.name, m.birth_year or 0) for m in person.family_members)
        snapshot["trainings"] = sorted((t.course, t.completed_on) for t in person.trainings)
    return snapshot


def edit_profile(person, data, user):
    """Apply a manager's edit and log the names of the fields it changed; return the unmatched interests."""
    before = _profile_snapshot(person)
    unmatched = apply_profile(person, data)
    after = _profile_snapshot(person)
    changed = [name for name in after if before[name] != after[name]]
    db.session.flush()
    if changed:
        record(user, AuditAction.CHANGED, person.id, changed)
    return unmatched


def build_person(kind, data, user, status=None):
    """Add a new refugee or volunteer with their initial consents to the session, unflushed.

    Returns (person, free-text interests that matched nothing). Imports
    build many people and flush once.
    """
    person = (Refugee if kind == "refugee" else Volunteer)(created_by_id=user.id if user else None)
    unmatched = apply_profile(person, data)
    db.session.add(person)
    _add_status(person, status or INITIAL_STATUS[kind], user)
    for purpose, given in data.get("consents", {}).items():
        _add_consent(person, purpose, given, data["consent_method"], user)
    return person, unmatched


def create_person(kind, data, user, status=None):
    """Register a refugee or volunteer; return (person, unmatched interests)."""
    person, unmatched = build_person(kind, data, user, status)
    db.session.flush()
    record(user, AuditAction.CREATED, person.id)
    return person, unmatched


def _add_status(person, status, user, note=None):
    person.status = status
    person.status_changed_at = now_utc()
    person.status_changes.insert(
        0, StatusChange(status=status, changed_by_id=user.id if user else None, note=note or None)
    )


class PersonHeld(Exception):
    """Another feature holds the person's status (e.g. an open match); `message` says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def held_reason(person):
    """Return why a person's status may not be changed by hand or archived now, or None.

    Features answer through the `person_archivable` signal, so this module
    need not know them (matches: "is in an open match").
    """
    reasons = answers(person_archivable, person)
    return reasons[0] if reasons else None


def _refuse_if_held(person):
    reason = held_reason(person)
    if reason:
        raise PersonHeld(reason)


def set_status(person, status, user, note=None):
    """Move a person to `status`, keeping the step in their history.

    For features that own the status while they hold the person (a match
    sets "matched"); a manager's change goes through `change_status`.
    """
    changed = person.status != status
    _add_status(person, status, user, note)
    db.session.flush()
    if changed:
        record(user, AuditAction.CHANGED, person.id, ["status"])


def change_status(person, status, user, note=None):
    """Change a status by hand; raise PersonHeld while a feature holds the person."""
    _refuse_if_held(person)
    set_status(person, status, user, note)


def _add_consent(person, purpose, given, method, user):
    if purpose == ConsentPurpose.MATCHING:
        person.consents_to_matching = bool(given)
    elif purpose == ConsentPurpose.STATISTICS:
        person.consents_to_statistics = bool(given)
    elif purpose == ConsentPurpose.CONTACT:
        person.consents_to_contact = bool(given)
    person.consents.insert(
        0,
        Consent(
            purpose=purpose,
            given=bool(given),
            method=method,
            recorded_at=now_utc(),
            recorded_by_id=user.id if user else None,
        ),
    )


def record_consent(person, purpose, given, method, user):
    """Record a yes or no to `purpose`; the newest record is the one that counts."""
    _add_consent(person, purpose, given, method, user)
    db.session.flush()
    record(user, AuditAction.CHANGED, person.id, [f"consent_{purpose}"])


def update_own_availability(volunteer, slots, capacity, paused, user):
    """A volunteer changes when they are free, how many friends they take, or pauses new matches.

    Each change is a step in their status history, so their manager sees who
    changed what. Pausing raises PersonHeld while a feature holds the status
    (an open match): then the manager decides.
    """
    if paused and volunteer.status in (VolunteerStatus.AVAILABLE, VolunteerStatus.MATCHED, VolunteerStatus.FULL):
        change_status(volunteer, VolunteerStatus.PAUSED, user, StatusNote.PAUSED_OWN_PAGE)
    elif not paused and volunteer.status == VolunteerStatus.PAUSED:
        change_status(volunteer, VolunteerStatus.AVAILABLE, user, StatusNote.RESUMED_OWN_PAGE)
    changed = [f"available_{slot}" for slot in AVAILABILITY_TITLES if (slot in slots) != (slot in volunteer.availability)]
    if capacity != volunteer.capacity:
        changed.append("capacity")
    if changed:
        for slot in AVAILABILITY_TITLES:
            setattr(volunteer, f"available_{slot}", slot in slots)
        volunteer.capacity = capacity
        set_status(volunteer, volunteer.status, user, StatusNote.AVAILABILITY_OWN_PAGE)
        record(user, AuditAction.CHANGED, volunteer.id, changed)


def archive(person, user):
    """Hide a person from lists and matching, keeping their history; refused while they are held."""
    _refuse_if_held(person)
    person.archived_at = now_utc()
    _add_status(person, RefugeeStatus.LEFT if person.kind == "refugee" else VolunteerStatus.LEFT, user)
    db.session.flush()
    record(user, AuditAction.ARCHIVED, person.id, ["archived_at", "status"])


def restore(person, user):
    """Bring an archived person back into the lists; refused while a feature holds them (an erased person)."""
    _refuse_if_held(person)
    person.archived_at = None
    _add_status(person, INITIAL_STATUS[person.kind], user)
    db.session.flush()
    record(user, AuditAction.RESTORED, person.id, ["archived_at", "status"])
