"""KPIs stay on their scale: a rating's 95% band never leaves the scale, a number that is no
rating (minutes, amounts) has no top-2-box, a count has no interval, and the KPI explorer's
Period control shows the period its chart is drawn by. Figures checked against pandas."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from cem.access.principal import CLI_ADMIN
from cem.analytics import labels
from cem.analytics.engine import duckdb_engine
from cem.analytics.kpi_frames import kpi_frame
from cem.ingest.load import import_file
from cem.store.db import Database
from tests.conftest import OpenPage

WS = "Reviews"
# Four years of reviews (more than 36 months): a 1-5 star rating, a delay in minutes.
ROWS = [
    ("2021-01-05", 5, 0),
    ("2021-06-10", 1, 45),
    ("2022-02-01", 4, 10),
    ("2022-09-12", 5, 300),
    ("2023-03-03", 2, 0),
    ("2023-11-20", 3, 95),
    ("2024-05-15", 5, 5),
    ("2024-12-30", 1, 1),
]


def _reviews_csv(tmp_path: Path) -> Path:
    path = tmp_path / "reviews.csv"
    frame = pd.DataFrame(ROWS, columns=["Review date", "Stars", "Delay in minutes"])
    frame.to_csv(path, index=False)
    return path


def _import_into_app(app_env: Path, path: Path) -> None:
    """Import ``path`` into the app's database (the pages open it afterwards)."""
    db = Database(app_env)
    try:
        import_file(db, WS, path, "responses", actor=CLI_ADMIN)
    finally:
        db.close()


@pytest.fixture
def reviews(db: Database, tmp_path: Path) -> Database:
    import_file(db, WS, _reviews_csv(tmp_path), "responses", actor=CLI_ADMIN)
    return db


def test_a_rating_band_stays_on_its_scale(reviews: Database) -> None:
    frame = kpi_frame(duckdb_engine(reviews), WS, "attr:Stars")
    stars = pd.Series([r[1] for r in ROWS], dtype="float64")
    row = frame.iloc[0]
    assert row.n == len(ROWS)
    assert row.value == pytest.approx(stars.mean())
    half = 1.96 * stars.std() / len(stars) ** 0.5  # the normal-approximation half-width
    assert 1.0 <= row.ci_low <= row.value <= row.ci_high <= 5.0
    assert row.ci_low == pytest.approx(max(1.0, stars.mean() - half), abs=1e-9)
    assert row.ci_high == pytest.approx(min(5.0, stars.mean() + half), abs=1e-9)
    assert row.top2_share == pytest.approx(100 * (stars >= 4).mean())
    by_year = kpi_frame(duckdb_engine(reviews), WS, "attr:Stars", period="year")
    assert (by_year.ci_low >= 1.0).all() and (by_year.ci_high <= 5.0).all()
    assert (by_year.ci_high > 5.0 - 1e-9).any()  # a year of 5 and 1 stars hits the top


def test_minutes_have_no_top_two_box(reviews: Database) -> None:
    frame = kpi_frame(duckdb_engine(reviews), WS, "attr:Delay in minutes")
    assert "top2_share" not in frame.columns
    assert frame.iloc[0].value == pytest.approx(sum(r[2] for r in ROWS) / len(ROWS))
    table = labels.kpi_table(frame, "attr:Delay in minutes")
    assert "Top-2-box %" not in table.columns


def test_a_count_has_no_interval_and_whole_numbers(reviews: Database) -> None:
    frame = kpi_frame(duckdb_engine(reviews), WS, "responses", period="year")
    table = labels.kpi_table(frame, "responses")
    assert "± (95%)" not in table.columns
    assert table["Responses"].dtype == "int64"
    assert table["Responses"].tolist() == [2, 2, 2, 2]


def test_explorer_period_follows_the_chart(
    app_env: Path, open_page: OpenPage, tmp_path: Path
) -> None:
    _import_into_app(app_env, _reviews_csv(tmp_path))
    at = open_page("pages/explorer.py", workspace=WS, metric="attr:Stars")
    assert not at.exception, [e.value for e in at.exception]
    # 2021-01 .. 2024-12 is 48 months: more than 36, so quarters; the control says so.
    assert at.button_group(key="exp:period").value == "quarter"
    assert any("so the trend is shown by quarter" in c.value for c in at.caption)
    # 5 Jan 2021 .. 30 Dec 2024 covers nearly all of both end quarters: nothing partial.
    assert not any("is partial" in c.value for c in at.caption)
    shown = at.dataframe[0].value
    assert "None" not in shown.astype(str).to_numpy().ravel().tolist()
    # Quarters with a single answer have no interval: "—", the others a number.
    moe = shown["± (95%)"].tolist()
    assert "—" in moe and all(v == "—" or float(v) > 0 for v in moe)


def test_explorer_says_when_the_last_month_is_partial(
    app_env: Path, open_page: OpenPage, tmp_path: Path
) -> None:
    """An export taken on 14 March: March holds two weeks of answers, so its count reads as
    a drop. The explorer says so under the chart; the counts are those of pandas."""
    days = pd.date_range("2024-01-01", "2024-03-14", freq="D")
    frame = pd.DataFrame(
        {"Submitted": days.strftime("%Y-%m-%d"), "NPS": [k % 11 for k in range(len(days))]}
    )
    path = tmp_path / "march.csv"
    frame.to_csv(path, index=False)
    _import_into_app(app_env, path)
    at = open_page("pages/explorer.py", workspace=WS, metric="responses")
    assert not at.exception, [e.value for e in at.exception]
    notes = [c.value for c in at.caption if "is partial" in c.value]
    assert notes == [
        "March 2024 (dates 1 Mar–14 Mar 2024) is partial: its count is lower than a whole month's."
    ]
    shown = at.dataframe[0].value
    expected = frame.groupby(days.to_period("M")).size()  # 31, 29, 14 answers
    assert shown[labels.metric_label("responses")].tolist() == expected.tolist() == [31, 29, 14]
    nps = open_page("pages/explorer.py", workspace=WS, metric="nps")
    assert any("is partial: fewer answers than a whole month, a wider band." in c.value
               for c in nps.caption)  # fmt: skip
    # The Overview's 12-month trends say it too (its NPS and count charts: answers' words).
    home = open_page("pages/overview.py", workspace=WS)
    assert not home.exception, [e.value for e in home.exception]
    assert [c.value for c in home.caption if "is partial" in c.value] == [
        "March 2024 (dates 1 Mar–14 Mar 2024) is partial: fewer answers than a whole month, "
        "a wider band."
    ]


FLIGHTS = b"id,Class,satisfaction,Seat comfort\n" + b"".join(
    f"{k},{'Business' if k % 3 else 'Eco'},"
    f"{'satisfied' if k % 4 == 0 else 'neutral or dissatisfied'},{1 + k % 5}\n".encode()
    for k in range(40)
)


def test_a_two_valued_text_outcome_reads_as_a_share(
    db: Database, app_env: Path, open_page: OpenPage
) -> None:
    """An airline-style "satisfied" / "neutral or dissatisfied" column is a KPI, % satisfied
    (Key drivers used it as an outcome while the KPI explorer and Overview showed nothing)."""
    from cem.analytics.catalogue import available_metrics

    import_file(db, "Flights", FLIGHTS, "responses", actor=CLI_ADMIN, file_name="f.csv")
    engine = duckdb_engine(db)
    key = "attr:satisfaction=satisfied"
    assert available_metrics(engine, "Flights")[key] == "satisfaction: % “satisfied”"
    raw = pd.read_csv(io.BytesIO(FLIGHTS))
    expected = 100 * (raw.satisfaction == "satisfied").mean()  # 10 of 40: 25%
    row = kpi_frame(engine, "Flights", key).iloc[0]
    assert (row.n, row.value) == (40, pytest.approx(expected))
    assert 0.0 <= row.ci_low < row.value < row.ci_high <= 100.0
    by_class = kpi_frame(engine, "Flights", key, by=["attr:Class"]).set_index("attr:Class")
    for name, part in raw.groupby("Class"):
        assert by_class.loc[name, "value"] == pytest.approx(
            100 * (part.satisfaction == "satisfied").mean()
        )
    other = Database(app_env)
    try:
        import_file(other, "Flights", FLIGHTS, "responses", actor=CLI_ADMIN, file_name="f.csv")
    finally:
        other.close()
    at = open_page("pages/overview.py", workspace="Flights")
    assert not at.exception, [e.value for e in at.exception]
    tiles = {m.label.replace("\\", ""): m.value for m in at.metric}  # markdown escapes
    assert tiles["satisfaction: % “satisfied”"] == "25%"
    assert tiles["Responses"] == "40"


def test_the_overview_of_reviews_shows_their_one_rating(
    app_env: Path, open_page: OpenPage, tmp_path: Path
) -> None:
    """Reviews without NPS, CSAT or CES but with one star rating: the Overview's headline
    is that rating's mean (it showed only a count); minutes are no rating."""
    _import_into_app(app_env, _reviews_csv(tmp_path))
    at = open_page("pages/overview.py", workspace=WS)
    assert not at.exception, [e.value for e in at.exception]
    tiles = {m.label: m.value for m in at.metric}
    # The last 90 days of data hold one review (30 Dec 2024, 1 star).
    last_90 = [stars for day, stars, _ in ROWS if day >= "2024-10-01"]
    assert tiles["Stars (mean)"] == f"{sum(last_90) / len(last_90):.1f}" == "1.0"
    assert not any("Delay" in label for label in tiles)


def test_voice_of_answers_without_comments_says_why_there_are_no_themes(
    app_env: Path, open_page: OpenPage, tmp_path: Path
) -> None:
    _import_into_app(app_env, _reviews_csv(tmp_path))
    at = open_page("pages/verbatims.py", workspace=WS)
    assert not at.exception, [e.value for e in at.exception]
    infos = [i.value for i in at.info]
    assert any("these answers have no comments" in i for i in infos), infos
    assert not any("once the comments are analysed" in i for i in infos)
