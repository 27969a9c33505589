"""Demo Welcome Houses in København and Aarhus with a realistic coming week and more.

Dates are relative to today, so the demo always has something coming up;
some are full with a waitlist, and the demo refugee and volunteer have signed up.
"""
from datetime import time, timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.events import services
from app.events.models import Venue
from app.events.services import ActivityDetails
from app.extensions import db
from app.timeutil import today_local

VENUES = (
    {"name": "Velkomsthuset Nørrebro", "municipality_code": 101, "address": "Nørrebrogade 52", "postcode": "2200",
     "opening_notes": "Indgang fra gården. Ring på klokken ved døren til venstre.", "step_free": True,
     "hearing_loop": True, "child_friendly": True, "accessible_toilet": True},
    {"name": "Velkomsthuset Aarhus", "municipality_code": 751, "address": "Jægergårdsgade 40", "postcode": "8000",
     "opening_notes": "Cykelværkstedet er i kælderen.", "step_free": False, "hearing_loop": False,
     "child_friendly": True, "accessible_toilet": False},
)
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
#: How long the demo series run from today.
SERIES_WEEKS = 10


def _next(weekday, today):
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


def seed_events():
    """Create the demo places and their activities once; return how many dates were made."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Venue)):
        return 0
    places = [services.save_venue(None, data) for data in VENUES]
    kbh, aarhus = places
    today = today_local()
    until = today + timedelta(weeks=SERIES_WEEKS)
    series = [
        (ActivityDetails(kbh.id, "language_cafe", dict(
            da=("Sprogcafé", "Øv dansk over en kop kaffe med frivillige. Alle niveauer er velkomne."),
            en=("Language café", "Practise Danish over a cup of coffee with volunteers. All levels welcome."),
            ar=("مقهى اللغة", "تمرّن على اللغة الدنماركية مع المتطوعين على فنجان قهوة. جميع المستويات مرحّب بها."),
            ti=("ካፈ ቋንቋ", "ምስ ወለንተኛታት ቡን እናሰተኹም ዴንማርክኛ ተለማመዱ።")),
            capacity=20, host_slots=3, languages=["da", "en", "ar", "ti"]), 1, time(17), time(19)),
        (ActivityDetails(aarhus.id, "bicycle_workshop", dict(
            da=("Cykelværksted", "Reparer din cykel sammen med vores frivillige mekanikere."),
            en=("Bicycle workshop", "Repair your bike together with our volunteer mechanics."),
            fa=("کارگاه دوچرخه", "دوچرخه‌تان را با کمک مکانیک‌های داوطلب تعمیر کنید.")),
            capacity=8, host_slots=2, languages=["da", "fa"], what_to_bring="Din cykel"), 3, time(16), time(18)),
    ]
    made = 0
    for details, weekday, start, end in series:
        first = _next(weekday, today)
        duration = timedelta(hours=end.hour - start.hour)
        made += len(services.create_series(details, services.weekly_rule([WEEKDAY_CODES[weekday]], until), first,
                                           start, duration).activities)
    one_offs = [
        (ActivityDetails(kbh.id, "swimming", dict(
            da=("Svømning for kvinder", "Kvindelig livredder. Badehætte kan lånes."),
            ar=("سباحة للنساء", "منقذة سباحة امرأة. يمكن استعارة قبعة السباحة.")),
            capacity=3, audience="women", languages=["da", "ar"], price=20, what_to_bring="Badetøj og håndklæde"),
         5, time(10), time(12)),
        (ActivityDetails(aarhus.id, "homework_cafe", dict(
            da=("Lektiecafé", "Hjælp til lektier for børn og unge."),
            en=("Homework café", "Help with homework for children and young people.")),
            capacity=12, audience="youth", languages=["da", "en"]), 2, time(15), time(17)),
        (ActivityDetails(kbh.id, "theme_night", dict(
            da=("Temaaften: Sådan fungerer det danske sundhedsvæsen", "Oplæg og spørgsmål med tolk."),
            fa=("شب موضوعی: نظام درمانی دانمارک چگونه کار می‌کند", "سخنرانی و پرسش و پاسخ با مترجم.")),
            languages=["da", "fa", "ar"], interpreter=True), 4, time(18), time(21)),
    ]
    dates = {}
    for details, weekday, start, end in one_offs:
        activity = services.create_activity(details, _next(weekday, today), start,
                                            timedelta(hours=end.hour - start.hour))
        dates[details.category] = activity
        made += 1
    swimming = dates["swimming"]
    for name, phone, seats in (("Fatima Ali", "+4520000001", 2), ("Huda Hassan", "+4520000002", 1),
                               ("Mariam Yusuf", "+4520000003", 1), ("Saba Tesfay", "+4520000004", 2)):
        services.sign_up(swimming.id, seats, contact=(name, phone, None), locale="ar")
    users = {u.role: u for u in db.session.scalars(sa.select(User).where(User.email.like("%@demo.example.org")))}
    if "refugee" in users:
        services.sign_up(swimming.id, user=users["refugee"])
        services.sign_up(dates["theme_night"].id, user=users["refugee"])
    if "volunteer" in users:
        services.sign_up(dates["homework_cafe"].id, user=users["volunteer"])
    db.session.flush()
    return made
