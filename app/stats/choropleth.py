"""Colouring the map by one figure: classes, colours and a legend, per request.

Counts are classed after suppression, so the map tells no more than the
table: 0, "<5", then three classes of 5 and more split at the terciles.
"""
from dataclasses import dataclass

from flask_babel import format_decimal, lazy_gettext as _l

from app.agreements.models import AGREEMENT_STATUS_TITLES, AgreementStatus
from app.stats.display import ltr, shown_count
from app.stats.figures import SMALL_COUNT, SUPPRESSED

#: Figures the map can show, with their titles.
MAP_FIGURES = {
    "operating": _l("Programme operates"),
    "agreement_status": _l("Agreement"),
    "refugees_waiting": _l("Refugees waiting"),
    "refugees_matched_active": _l("Refugees with an active friendship"),
    "refugees_matched_total": _l("Refugees matched, ever"),
    "volunteers_available": _l("Volunteers who can take a friend"),
    "free_capacity": _l("Free places with volunteers"),
}

#: Sequential blues for counts, light to dark: 0, "<5", then the three classes.
COUNT_COLOURS = ("#f1f3f5", "#d0e1f2", "#94c4df", "#4a98c9", "#1764ab")
STATUS_COLOURS = {
    AgreementStatus.NO_CONTACT: "#f1f3f5",
    AgreementStatus.TERMINATED: "#c9a0a0",
    AgreementStatus.EXPIRED: "#e7b45a",
    AgreementStatus.IN_DIALOGUE: "#94c4df",
    AgreementStatus.SIGNED: "#2b8a3e",
}
OPERATING_COLOURS = {False: "#f1f3f5", True: "#2b8a3e"}


@dataclass
class Colouring:
    #: {municipality code: (colour, value as shown)}
    fills: dict
    #: [(colour, label)]
    legend: list


def _count_classes(values):
    """Class bounds (lowest value of each class) for counts of 5 and more."""
    big = sorted(v for v in values if v > SMALL_COUNT)
    if not big:
        return []
    bounds = sorted({SMALL_COUNT + 1, big[len(big) // 3], big[2 * len(big) // 3]})
    return bounds


def colour(figure, municipalities):
    """Colour each municipality row by `figure`; return the fills and the legend."""
    if figure == "operating":
        fills = {
            m.code: (OPERATING_COLOURS[bool(m.operating)], _l("Operates") if m.operating else _l("Does not operate"))
            for m in municipalities
        }
        return Colouring(fills, [(OPERATING_COLOURS[True], _l("Operates")), (OPERATING_COLOURS[False], _l("Does not operate"))])
    if figure == "agreement_status":
        fills = {
            m.code: (STATUS_COLOURS[m.agreement_status], AGREEMENT_STATUS_TITLES[AgreementStatus(m.agreement_status)])
            for m in municipalities
        }
        return Colouring(fills, [(STATUS_COLOURS[s], AGREEMENT_STATUS_TITLES[s]) for s in reversed(AgreementStatus)])
    values = {m.code: m.counts[figure] for m in municipalities}
    bounds = _count_classes(values.values())
    legend = [(COUNT_COLOURS[0], format_decimal(0)), (COUNT_COLOURS[1], ltr(SUPPRESSED))]
    for i, low in enumerate(bounds):
        high = bounds[i + 1] - 1 if i + 1 < len(bounds) else None
        if high is None:
            label = _l("%(num)s or more", num=format_decimal(low))
        elif high == low:
            label = format_decimal(low)
        else:
            label = ltr(f"{format_decimal(low)}–{format_decimal(high)}")
        legend.append((COUNT_COLOURS[2 + i], label))

    def fill(value):
        if value <= SMALL_COUNT:
            return COUNT_COLOURS[min(value, 1)], shown_count(value)
        index = max(i for i, low in enumerate(bounds) if value >= low)
        return COUNT_COLOURS[2 + index], shown_count(value)

    return Colouring({code: fill(value) for code, value in values.items()}, legend)
