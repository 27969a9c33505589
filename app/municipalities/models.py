"""Where people live: regions, the 98 municipalities and postcode areas."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class Region(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Official name, e.g. "Region Hovedstaden".
    name: Mapped[str] = mapped_column(sa.String(64), unique=True)

    municipalities: Mapped[list["Municipality"]] = relationship(
        back_populates="region", order_by="Municipality.name"
    )

    def __repr__(self):
        return f"<Region {self.name}>"


class Municipality(db.Model):
    __table_args__ = (sa.CheckConstraint("code BETWEEN 100 AND 999", name="code_3_digits"),)

    #: The 3-digit municipality code (101 København, 751 Aarhus).
    code: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("region.id"), index=True)
    #: A point inside the municipality, near its centroid (WGS84).
    lat: Mapped[float]
    lon: Mapped[float]
    #: Inhabitants on 1 January of `population_year` (Statistics Denmark, FOLK1A).
    population: Mapped[int | None]
    population_year: Mapped[int | None]

    region: Mapped[Region] = relationship(back_populates="municipalities")
    postcode_areas: Mapped[list["PostcodeArea"]] = relationship(
        back_populates="municipality", order_by="PostcodeArea.first"
    )

    def __repr__(self):
        return f"<Municipality {self.code} {self.name}>"


class PostcodeArea(db.Model):
    """A postcode, or a range of them such as 1000-1499 København K."""

    __table_args__ = (
        sa.UniqueConstraint("first", "last", name="uq_postcode_area_range"),
        sa.CheckConstraint("first BETWEEN 1000 AND 9999 AND last >= first", name="valid_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first: Mapped[int] = mapped_column(index=True)
    #: Equal to `first` except for the three central Copenhagen ranges.
    last: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(64))
    lat: Mapped[float]
    lon: Mapped[float]
    #: The municipality holding most of the area.
    municipality_code: Mapped[int] = mapped_column(sa.ForeignKey("municipality.code"), index=True)

    municipality: Mapped[Municipality] = relationship(back_populates="postcode_areas")

    @property
    def label(self):
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"

    def __repr__(self):
        return f"<PostcodeArea {self.label} {self.name}>"
