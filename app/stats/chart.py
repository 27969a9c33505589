"""The matches-started-per-month bar chart, laid out on the server as SVG coordinates."""
from dataclasses import dataclass

from flask_babel import format_date

from app.stats.figures import SMALL_COUNT

WIDTH, HEIGHT = 720, 220
#: Room for the month labels below the bars and the numbers above them.
BOTTOM, TOP = 34, 18


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


def bars(months):
    """Place one bar per (first day, count); a suppressed count (1-4) is drawn as a stub."""
    if not months:
        return []
    highest = max(max(count for _, count in months), SMALL_COUNT + 1)
    slot = WIDTH / len(months)
    every = 1 if len(months) <= 12 else 3
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
            label=format_date(first, "MMM yy") if i % every == 0 else "",
        ))
    return result
