"""iCalendar (RFC 5545) files: one activity date, and a venue's subscribable feed.

Times are written with TZID Europe/Copenhagen and its VTIMEZONE, so the
time in a calendar app is the time on the page. A series is one VEVENT with
its RRULE; cancelled dates become EXDATEs and moved dates their own VEVENT
with a RECURRENCE-ID, as calendar apps expect.
"""
from datetime import datetime, timedelta, timezone

from icalendar import Calendar, Event, vRecur

from app.events.models import text_for
from app.timeutil import LOCAL_ZONE, now_utc

PRODID = "-//Friends Pave the Way//Activities//EN"


def _calendar(name=None):
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def _local(instant):
    return instant.astimezone(LOCAL_ZONE)


def _location(venue):
    return f"{venue.name}, {venue.address}, {venue.postcode} {venue.municipality.name}"


def _event(uid, activity, locale, url_for_activity, start=None):
    """A VEVENT for `activity`; `start` (local) replaces its own start, keeping the duration."""
    text = text_for(activity, locale)
    start = start or _local(activity.starts_at)
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now_utc())
    event.add("dtstart", start)
    event.add("dtend", start + (activity.ends_at - activity.starts_at))
    event.add("summary", text.title)
    if text.description:
        event.add("description", text.description)
    event.add("location", _location(activity.venue))
    event.add("url", url_for_activity(activity))
    if activity.cancelled_at is not None:
        event.add("status", "CANCELLED")
    return event


def _finish(calendar, starts):
    """Add the VTIMEZONE covering the events, and return the file's bytes."""
    if starts:
        calendar.add_missing_timezones(min(starts).date() - timedelta(days=366),
                                       max(starts).date() + timedelta(days=366))
    return calendar.to_ical()


def activity_ics(activity, locale, host, url_for_activity):
    """The .ics of one date, in `locale` as far as its texts allow."""
    calendar = _calendar()
    calendar.add_component(_event(f"activity-{activity.id}@{host}", activity, locale, url_for_activity))
    return _finish(calendar, [activity.starts_at])


def _utc_rule(rule):
    """The stored rule with its local UNTIL turned into UTC, as RFC 5545 wants with a TZID start."""
    recur = vRecur.from_ical(rule)
    if "UNTIL" in recur:
        recur["UNTIL"] = [until.replace(tzinfo=LOCAL_ZONE).astimezone(timezone.utc) for until in recur["UNTIL"]]
    return recur


def venue_ics(venue, activities, locale, host, url_for_activity):
    """A venue's feed: one-off dates as they are, each series once with its rule and exceptions."""
    calendar = _calendar(venue.name)
    by_series = {}
    for activity in activities:
        if activity.series_id is None:
            calendar.add_component(_event(f"activity-{activity.id}@{host}", activity, locale, url_for_activity))
        else:
            by_series.setdefault(activity.series, []).append(activity)
    starts = [a.starts_at for a in activities]
    for series, dates in by_series.items():
        uid = f"series-{series.id}@{host}"
        start = datetime.combine(series.first_date, series.start_time, tzinfo=LOCAL_ZONE)
        starts.append(start)
        master = _event(uid, dates[0], locale, url_for_activity, start=start)
        master.pop("status", None)
        master.add("rrule", _utc_rule(series.rule))
        cancelled = [_local(a.occurrence_at) for a in series.activities if a.cancelled_at is not None]
        if cancelled:
            master.add("exdate", cancelled)
        calendar.add_component(master)
        for moved in (a for a in dates if a.cancelled_at is None and a.starts_at != a.occurrence_at):
            override = _event(uid, moved, locale, url_for_activity)
            override.add("recurrence-id", _local(moved.occurrence_at))
            calendar.add_component(override)
    # The VTIMEZONE must also cover a series that began before its first coming date.
    return _finish(calendar, starts)
