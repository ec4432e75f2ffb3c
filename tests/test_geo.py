"""edgekit.geo: distances against exact geodesics, light-speed bounds, bad input, the calibration."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edgekit import geo

# Exact WGS-84 geodesic distances (km) from GeographicLib 2.1, Geodesic.WGS84.Inverse
# (C. F. F. Karney, "Algorithms for geodesics", J. Geodesy 87, 2013), computed once for
# the airport coordinates in data/places.csv and hard-coded here.
GEODESICS = [
    ((51.4706, -0.4619), (40.6399, -73.7787), 5554.523),  # LHR-JFK
    ((51.4706, -0.4619), (-33.9461, 151.177), 17016.027),  # LHR-SYD
    ((35.7647, 140.386), (37.363, -121.9286), 8294.864),  # NRT-SJC
    ((-26.1337, 28.2423), (-23.4356, -46.4731), 7451.599),  # JNB-GRU
    ((1.3502, 103.994), (50.0264, 8.5431), 10284.602),  # SIN-FRA
    ((-37.0081, 174.792), (40.4936, -3.5668), 19593.809),  # AKL-MAD, nearly antipodal
    ((-33.393, -70.7858), (22.3089, 113.915), 18694.836),  # SCL-HKG
    ((49.1939, -123.184), (-33.9648, 18.6017), 16461.328),  # YVR-CPT
    ((90.0, 0.0), (-90.0, 0.0), 20003.931),  # pole to pole
    ((0.0, 0.0), (0.0, 180.0), 20003.931),  # equatorial antipodes: the geodesic goes over a pole
]

latitudes = st.floats(min_value=-90, max_value=90, allow_nan=False)
longitudes = st.floats(min_value=-180, max_value=180, allow_nan=False)
points = st.tuples(latitudes, longitudes)


@pytest.mark.parametrize("a, b, km", GEODESICS)
def test_distance_within_half_a_percent_of_the_exact_geodesic(a, b, km):
    assert great_circle_error(a, b, km) < 0.005


def great_circle_error(a, b, km):
    return abs(geo.great_circle_km(a, b) - km) / km


@pytest.mark.parametrize("a, b, km", GEODESICS[:8])
def test_city_pairs_are_within_ten_metres_per_thousand_km(a, b, km):
    assert abs(geo.great_circle_km(a, b) - km) < 0.01 * km / 1000 + 0.01


def test_codes_and_objects_and_pairs_give_the_same_distance():
    lhr, jfk = geo.place("LHR"), geo.place("JFK")
    d = geo.great_circle_km("LHR", "JFK")
    assert geo.great_circle_km(lhr, jfk) == d == geo.great_circle_km((lhr.lat, lhr.lon), [jfk.lat, jfk.lon])


def test_antipodal_round_trip_at_light_speed_is_the_talks_133_ms():
    rtt = geo.min_rtt_ms((90, 0), (-90, 0), medium="vacuum")
    assert 132.5 < rtt < 134.0
    assert round(rtt) == 133
    # Any antipodal pair, whichever way the geodesic runs, stays "about 133 ms".
    assert 133 <= geo.min_rtt_ms((10, 20), (-10, -160), medium="vacuum") < 134


def test_fibre_is_slower_by_the_refractive_index():
    v = geo.min_rtt_ms("LHR", "SYD", medium="vacuum")
    assert geo.min_rtt_ms("LHR", "SYD") == pytest.approx(v * 1.47)
    assert geo.min_rtt_ms("LHR", "SYD", refractive_index=1.5) == pytest.approx(v * 1.5)
    assert geo.min_rtt_ms("LHR", "SYD", refractive_index=1) == pytest.approx(v)


def test_max_distance_inverts_min_rtt():
    rtt = geo.min_rtt_ms("LHR", "NRT")
    assert geo.max_distance_km(rtt) == pytest.approx(geo.great_circle_km("LHR", "NRT"))
    assert geo.max_distance_km(0.035, medium="vacuum") == pytest.approx(5.246, abs=1e-3)


@pytest.mark.parametrize("kwargs, match", [
    ({"medium": "glass"}, r"medium='glass': expected 'fiber' or 'vacuum'"),
    ({"refractive_index": 0.9}, r"refractive_index=0.9: expected a number >= 1"),
    ({"refractive_index": float("nan")}, r"refractive_index=nan"),
    ({"medium": "vacuum", "refractive_index": 1.5}, r"refractive_index=1.5: only meaningful with medium='fiber'"),
])
def test_bad_media_are_value_errors_naming_the_parameter(kwargs, match):
    with pytest.raises(ValueError, match=match):
        geo.min_rtt_ms("LHR", "SYD", **kwargs)


@pytest.mark.parametrize("bad, err, match", [
    ((91, 0), ValueError, r"a=\(91, 0\): latitude 91 out of range; expected -90 to 90"),
    ((0, -180.5), ValueError, r"longitude -180.5 out of range"),
    ((float("nan"), 0), ValueError, r"latitude nan out of range"),
    (("51", 0), TypeError, r"latitude '51' is not a number"),
    ((1, 2, 3), TypeError, r"expected a \(lat, lon\) pair"),
    (42, TypeError, r"a=42: expected a \(lat, lon\) pair"),
])
def test_bad_points_name_the_parameter_and_the_value(bad, err, match):
    with pytest.raises(err, match=match):
        geo.great_circle_km(bad, (0, 0))


def test_unknown_code_names_it_and_suggests_close_codes():
    with pytest.raises(ValueError, match=r"code='LHX': unknown place.*did you mean .*LHR"):
        geo.place("LHX")
    with pytest.raises(ValueError, match=r"code='nowhere'"):
        geo.min_rtt_ms("nowhere", "SYD")
    with pytest.raises(TypeError, match=r"code=7"):
        geo.place(7)


def test_codes_are_case_insensitive_and_places_are_frozen():
    assert geo.place("syd") is geo.place("SYD")
    assert geo.place("AZURE:WESTEUROPE").code == "azure:westeurope"
    with pytest.raises(AttributeError):
        geo.place("SYD").lat = 0


@settings(max_examples=200, deadline=None)
@given(points, points)
def test_distance_is_symmetric_bounded_and_zero_only_at_the_same_point(a, b):
    d = geo.great_circle_km(a, b)
    assert d == pytest.approx(geo.great_circle_km(b, a), rel=1e-9, abs=1e-9)
    assert 0 <= d <= 20_037.6  # half the equator is the longest Lambert path
    assert geo.great_circle_km(a, a) == 0


@settings(max_examples=200, deadline=None)
@given(points, points)
def test_ellipsoid_distance_stays_within_the_sphere_difference(a, b):
    # The WGS-84 geodesic and a great circle on the mean sphere (R = 6371.0088 km) differ by
    # well under 1% (the flattening is 0.34%); a gross formula error would break this.
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    sphere = 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, h)))
    d = geo.great_circle_km(a, b)
    assert abs(d - sphere) <= 0.0075 * sphere + 1e-6


@settings(max_examples=150, deadline=None)
@given(points, points, points)
def test_triangle_inequality_holds_up_to_lamberts_error(a, b, c):
    ab, bc, ac = (geo.great_circle_km(*p) for p in ((a, b), (b, c), (a, c)))
    assert ac <= ab + bc + 0.002 * 20_004


def test_calibration_is_physical_and_explains_every_measurement():
    cal = geo.calibration()
    assert cal.quantile == 0.5 and cal.inflation >= 1 and cal.constant_ms >= 0
    assert cal.n == len(geo.measurements()) == len(cal.residuals)
    assert cal.median_abs_residual_ms <= cal.rmse_ms <= cal.max_abs_residual_ms
    # The median line: about as many measurements above it as below (the least-squares line it
    # replaced overestimated 64% of them, pulled up by a few long detours).
    assert 0.45 <= cal.share_over <= 0.55


@pytest.mark.parametrize("q", [0.1, 0.25, 0.5, 0.75, 0.9])
def test_a_quantile_line_has_that_share_of_measurements_below_it(q):
    cal = geo.calibration(q)
    # A quantile fit with two parameters puts all but about two points on the right sides.
    assert abs(cal.share_over - q) <= 3 / cal.n


def test_quantile_lines_are_ordered_so_the_band_brackets_the_estimate():
    for a, b in [("LHR", "JFK"), ("LHR", "SYD"), ("FRA", "SIN"), ("AMS", "AMS")]:
        lo, hi = geo.rtt_range_ms(a, b)
        line = geo.calibration().inflation * geo.min_rtt_ms(a, b) + geo.calibration().constant_ms
        assert geo.min_rtt_ms(a, b) <= lo <= max(line, geo.min_rtt_ms(a, b)) <= hi
    with pytest.raises(ValueError, match=r"low=0.9, high=0.1: expected 0 < low < high < 1"):
        geo.rtt_range_ms("LHR", "JFK", 0.9, 0.1)
    with pytest.raises(ValueError, match=r"quantile=1.5: expected a number strictly between 0 and 1"):
        geo.calibration(1.5)


def test_the_estimate_is_the_measurement_where_there_is_one():
    for m in geo.measurements():
        assert geo.estimate_rtt_ms(m.a, m.b) == pytest.approx(geo.measured_rtt_ms(m.a, m.b))
    assert geo.estimate_rtt_ms("JFK", "CDG") == 78.33  # the least-squares line said 110
    # No measurement: the median line. London-New York: one round trip fits a 100 ms page.
    assert 85 < geo.estimate_rtt_ms("LHR", "JFK") < 100


def _pinball(xs, ys, q, k, c):
    return sum(q * (y - k * x - c) if y - k * x - c >= 0 else (q - 1) * (y - k * x - c) for x, y in zip(xs, ys, strict=True))


def _brute_force_quantile_line(xs, ys, q):
    """The oracle: a linear programme's optimum is at a vertex, so try every line through two
    points, through one point with k = 1 or c = 0, and k = 1, c = 0; keep the feasible best."""
    cands = [(1.0, 0.0)]
    pts = list(zip(xs, ys, strict=True))
    for i, (x1, y1) in enumerate(pts):
        cands += [(1.0, y1 - x1), (y1 / x1, 0.0)]
        for x2, y2 in pts[i + 1:]:
            if x1 != x2:
                k = (y2 - y1) / (x2 - x1)
                cands.append((k, y1 - k * x1))
    feasible = [(k, c) for k, c in cands if 1 <= k <= 6 and c >= 0]
    return min(_pinball(xs, ys, q, k, c) for k, c in feasible)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(1, 300), st.floats(1.0, 3.0), st.floats(0, 30)), min_size=2, max_size=9),
       st.sampled_from([0.1, 0.5, 0.9]))
def test_quantile_fit_matches_a_brute_force_linear_programme(rows, q):
    xs = [x for x, _, _ in rows]
    ys = [x * k + c for x, k, c in rows]
    k, c = geo._quantile_fit(xs, ys, q)
    assert 1 <= k <= 6 and c >= 0
    best = _brute_force_quantile_line(xs, ys, q)
    assert _pinball(xs, ys, q, k, c) <= best + 1e-6 * (1 + best)


def test_the_median_line_ignores_a_far_detour_where_least_squares_would_not():
    xs, ys = [10.0, 50.0, 100.0, 150.0, 200.0], [20.0, 84.0, 170.0, 254.0, 340.0]  # 1.7x plus 3
    k0, c0 = geo._quantile_fit(xs, ys, 0.5)
    k1, c1 = geo._quantile_fit(xs, ys[:-1] + [900.0], 0.5)  # one route detours over 2.5 times as far
    assert abs(k1 * 100 + c1 - (k0 * 100 + c0)) < 5  # the median line hardly moves at 100 ms


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([p.code for p in geo.places()]), st.sampled_from([p.code for p in geo.places()]))
def test_estimate_never_undercuts_physics(a, b):
    assert geo.estimate_rtt_ms(a, b) >= geo.min_rtt_ms(a, b) >= geo.min_rtt_ms(a, b, medium="vacuum")


def test_measured_rtt_is_symmetric_and_none_when_unknown():
    assert geo.measured_rtt_ms("azure:westus", "azure:eastus") == 64
    assert geo.measured_rtt_ms("azure:eastus", "azure:westus") == 64
    assert geo.measured_rtt_ms("LHR", "SYD") is None
