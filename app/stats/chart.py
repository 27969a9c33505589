"""The matches-started-per-month bar chart, laid out on the server as SVG coordinates."""
from dataclasses import dataclass

from flask_babel import format_date

from app.stats.figures import SMALL_COUNT

#: Narrow on purpose: scaled down to a phone, its 14-unit labels stay readable.
WIDTH, HEIGHT = 480, 200
#: Room for the month labels below the bars and the numbers above them.
BOTTOM, TOP = 28, 20
#: Months between two labels: every month of one year, fewer for longer periods.
LABEL_EVERY = {12: 2, 24: 3, 36: 6}


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    count: int
    month: str
    #: Label below the bar; only every few months when there are many.
    label: str
    #: Whether the count is written above the bar (a year of bars has room for it).
    show_count: bool


def bars(months):
    """Place one bar per (first day, count); a suppressed count (1-4) is drawn as a stub."""
    if not months:
        return []
    highest = max(max(count for _, count in months), SMALL_COUNT + 1)
    slot = WIDTH / len(months)
    every = LABEL_EVERY.get(len(months), 1)
    short = "MMM" if len(months) <= 12 else "MMM yy"
    result = []
    for i, (first, count) in enumerate(months):
        shown = 0 if count == 0 else (1 if count <= SMALL_COUNT else count)
        height = (HEIGHT - BOTTOM - TOP) * shown / highest
        result.append(Bar(
            x=round(i * slot + slot * 0.15, 1),
            y=round(HEIGHT - BOTTOM - height, 1),
            width=round(slot * 0.7, 1),
            height=round(height, 1),
            count=count,
            month=format_date(first, "MMMM y"),
            label=format_date(first, short) if i % every == 0 else "",
            show_count=len(months) <= 12,
        ))
    return result
