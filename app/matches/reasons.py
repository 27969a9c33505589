"""Render the matching core's reasons in the viewer's language."""
from flask_babel import gettext as _, ngettext

from app.i18n.dates import distance
from app.i18n.lists import format_list
from app.i18n.names import spoken_language_name, viewer_locale
from app.matching.scoring import MIN_SHARED_LEVEL
from app.people.languages import LEVEL_TITLES, language_name
from app.people.models import AVAILABILITY_TITLES


def _languages(locale):
    return lambda code: language_name(code, locale)


def describe(reason, locale, interest_name):
    """Return one sentence for a Reason(code, params)."""
    p = reason.params
    name = _languages(locale)
    match reason.code:
        case "shared_language":
            return _("You both speak %(language)s (%(refugee)s / %(volunteer)s)",
                     language=name(p["language"]), refugee=LEVEL_TITLES[p["refugee_level"]],
                     volunteer=LEVEL_TITLES[p["volunteer_level"]])
        case "danish_practice":
            return _("Can practise Danish with a fluent speaker")
        case "shared_interests":
            return ngettext("%(num)d shared interest: %(interests)s", "%(num)d shared interests: %(interests)s",
                            p["count"], interests=format_list((interest_name(k) for k in p["interests"]), locale))
        case "no_shared_interests":
            return _("No shared interests")
        case "distance":
            return _("%(distance)s apart", distance=distance(p["km"]))
        case "shared_availability":
            return _("Both free: %(slots)s", slots=format_list((AVAILABILITY_TITLES[s] for s in p["slots"]), locale))
        case "no_shared_availability":
            return _("No shared free time")
        case "family_to_family":
            return _("Family to family")
        case "family_wish_not_met":
            return _("Wishes a family, the volunteer is not one")
        case "age_in_range":
            return _("Age fits the wishes")
        case "age_outside_range":
            return _("Age %(age)d is outside the wished %(low)s–%(high)s", age=p["age"],
                     low=p.get("age_min") or "", high=p.get("age_max") or "")
        case "age_unknown":
            return _("Age unknown")
        case "no_preferences":
            return _("No special wishes")
        case "declined_before":
            return _("Declined before, or an earlier match did not work out")
        case "no_shared_language":
            return _("No shared language")
        case "language_too_basic":
            return _("%(languages)s only at a basic level; friends need a shared language at level 2 or more",
                     languages=format_list((name(code) for code in p["languages"]), locale))
        case "gender_wish_not_met":
            return _("The refugee's wish for the friend's gender is not met") if p.get("side") == "refugee" \
                else _("The volunteer's wish for the friend's gender is not met")
        case "needs_child_certificate":
            return _("Children in the household, and no valid child certificate")
        case "no_capacity":
            return _("No free place")
        case "too_far":
            return _("%(distance)s apart, more than %(max)s", distance=distance(p["km"]),
                     max=distance(p["max_km"], decimals=0))
        case "different_municipality":
            return _("Lives in another municipality")
    return reason.code


def _refugee_languages(refugee, basic):
    """The refugee's languages that count (level 2+), or with `basic` those spoken only at level 1."""
    codes = [l.code for l in refugee.languages if (l.level < MIN_SHARED_LEVEL) == basic]
    return format_list((spoken_language_name(code) for code in codes), viewer_locale())


def describe_exclusion(code, count, refugee=None):
    """One line of the "cannot be suggested" summary: how many volunteers, and why.

    Given the refugee, the language lines name the languages that are the
    real cause: those they speak well enough when nobody shares them, and
    those they speak only at a basic level when that is all they share.
    """
    match code:
        case "no_shared_language":
            line = ngettext("%(num)d shares no language with them", "%(num)d share no language with them", count)
            spoken = refugee and _refugee_languages(refugee, basic=False)
            return _("%(line)s (they speak %(languages)s)", line=line, languages=spoken) if spoken else line
        case "language_too_basic":
            basic = refugee and _refugee_languages(refugee, basic=True)
            if basic:
                return ngettext(
                    "%(num)d shares only %(languages)s with them, which they speak at a basic level; "
                    "friends need a shared language at level 2 or more",
                    "%(num)d share only %(languages)s with them, which they speak at a basic level; "
                    "friends need a shared language at level 2 or more", count, languages=basic)
            return ngettext(
                "%(num)d shares a language with them only at a basic level; "
                "friends need a shared language at level 2 or more",
                "%(num)d share a language with them only at a basic level; "
                "friends need a shared language at level 2 or more", count)
        case "gender_wish_not_met":
            return ngettext("%(num)d does not meet a wish about gender", "%(num)d do not meet a wish about gender", count)
        case "needs_child_certificate":
            return ngettext("%(num)d has no valid child certificate, and there are children",
                            "%(num)d have no valid child certificate, and there are children", count)
        case "no_capacity":
            return ngettext("%(num)d has no free place", "%(num)d have no free place", count)
        case "too_far":
            return ngettext("%(num)d lives further away than they will travel",
                            "%(num)d live further away than they will travel", count)
        case "different_municipality":
            return ngettext("%(num)d lives in another municipality", "%(num)d live in another municipality", count)
        case "declined_before":
            return ngettext("%(num)d declined before or did not work out with them",
                            "%(num)d declined before or did not work out with them", count)
    return f"{count} {code}"
