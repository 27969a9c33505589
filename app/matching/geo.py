"""Where candidates live and how far apart: centroids from the committed CSVs.

Read straight from ``app/municipalities/data`` rather than the database so the
matching core stays pure and the benchmark needs no database. A postcode is
located at its area's centroid; a missing or unknown postcode falls back to
the centroid of the person's municipality, which is always known.
"""
import csv
import math
from functools import cache
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parent.parent / "municipalities" / "data"
#: Mean Earth radius (IUGG), in km.
EARTH_RADIUS_KM = 6371.0088


def _read_csv(name):
    with open(DATA_DIR / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def municipality_centroids():
    """Return municipality code -> (lat, lon)."""
    return {int(row["code"]): (float(row["lat"]), float(row["lon"])) for row in _read_csv("municipalities.csv")}


@cache
def postcode_centroids():
    """Return postcode number -> (lat, lon), with ranges such as 1000-1499 spelt out."""
    centroids = {}
    for row in _read_csv("postcodes.csv"):
        first, _, last = row["postcode"].partition("-")
        for number in range(int(first), int(last or first) + 1):
            centroids[number] = (float(row["lat"]), float(row["lon"]))
    return centroids


@cache
def locate(municipality, postcode=None):
    """Return (lat, lon) of ``postcode``, or of ``municipality`` when the postcode is missing or unknown."""
    centroid = municipality_centroids().get(int(municipality))
    if centroid is None:
        raise ValueError(f"unknown municipality code {municipality!r}")
    try:
        return postcode_centroids()[int(str(postcode).strip())]
    except (KeyError, ValueError):
        return centroid


def haversine_km(lat1, lon1, lat2, lon2):
    """Return the great-circle distance in km between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi, half_dlambda = (phi2 - phi1) / 2, math.radians(lon2 - lon1) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def haversine_km_many(lat, lon, lats, lons):
    """Return distances in km from one point to arrays of points, as ``haversine_km`` does one by one."""
    phi1, phi2 = math.radians(lat), np.radians(lats)
    half_dphi, half_dlambda = (phi2 - phi1) / 2, np.radians(lons - lon) / 2
    a = np.sin(half_dphi) ** 2 + math.cos(phi1) * np.cos(phi2) * np.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))
