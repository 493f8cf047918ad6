"""The demo workspace generator: deterministic, the right size and shape, a story that the
KPI pages can find, and a refresh that replaces instead of duplicating."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from cem.access.principal import CLI_ADMIN, LOCAL_ADMIN
from cem.analytics.attributes import attribute_values
from cem.analytics.engine import duckdb_engine
from cem.demo.workspace import (
    DEMO_PERSONAS,
    DEMO_SEGMENTS,
    DEMO_STAGES,
    RATING_ATTRIBUTES,
    build_demo_workspace,
    demo_is_loaded,
    generate_demo,
    write_demo_samples,
)
from cem.store.db import Database
from cem.store.workspaces import DEMO_WORKSPACE

STAGE_OF = {tp: stage for stage, tps in DEMO_STAGES for tp, _ in tps}
CHANNEL_OF = {tp: ch for _, tps in DEMO_STAGES for tp, ch in tps}
STAGE_ORDER = {stage: i for i, (stage, _) in enumerate(DEMO_STAGES)}


def _frame(db: Database, sql: str, params: list[object] | None = None) -> pd.DataFrame:
    return db.execute(sql, params or []).df()


def _nps(scores: pd.Series) -> float:
    s = scores.dropna().astype(int)
    return 100.0 * ((s >= 9).mean() - (s <= 6).mean())


def _checksum(db: Database) -> str:
    """A digest of the demo's content, leaving out generated ids and import ids."""
    parts = []
    for sql in (
        "SELECT customer_id, segment, persona, first_seen, churned, churned_at, revenue "
        "FROM customers WHERE workspace = 'demo' ORDER BY customer_id",
        "SELECT customer_id, submitted_at, nps, csat, ces, comment, channel, touchpoint, stage,"
        " segment, persona FROM responses WHERE workspace = 'demo' ORDER BY source_row",
        "SELECT customer_id, occurred_at, touchpoint, channel, stage FROM events "
        "WHERE workspace = 'demo' ORDER BY source_row",
    ):
        frame = db.execute(sql).df()
        parts.append(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    ids = db.execute("SELECT response_id, source_row FROM responses WHERE workspace = 'demo'").df()
    attrs = attribute_values(duckdb_engine(db), "demo", "responses").to_pandas()
    attrs = attrs.merge(ids, left_on="row_id", right_on="response_id")
    attrs = attrs.sort_values(["source_row", "name"])[
        ["source_row", "name", "num_value", "text_value"]
    ]
    parts.append(pd.util.hash_pandas_object(attrs, index=False).to_numpy().tobytes())
    return hashlib.sha256(b"".join(parts)).hexdigest()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Database:
    """One read-only demo database for the shape and story tests of this module."""
    path = tmp_path_factory.mktemp("demo-shape") / "demo.duckdb"
    database = Database(path)
    build_demo_workspace(database, actor=CLI_ADMIN)
    yield database
    database.close()


@pytest.fixture(scope="module")
def responses(demo: Database) -> pd.DataFrame:
    return _frame(demo, "SELECT * FROM responses WHERE workspace = ?", [DEMO_WORKSPACE])


@pytest.fixture(scope="module")
def events(demo: Database) -> pd.DataFrame:
    return _frame(
        demo,
        "SELECT * FROM events WHERE workspace = ? ORDER BY customer_id, occurred_at",
        [DEMO_WORKSPACE],
    )


@pytest.fixture(scope="module")
def customers(demo: Database) -> pd.DataFrame:
    return _frame(demo, "SELECT * FROM customers WHERE workspace = ?", [DEMO_WORKSPACE])


# -- determinism and refresh ------------------------------------------------------------------
def test_same_seed_same_data_other_seed_differs(tmp_path: Path) -> None:
    sums = []
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        database = Database(tmp_path / f"{name}.duckdb")
        build_demo_workspace(database, seed=seed, actor=CLI_ADMIN)
        sums.append(_checksum(database))
        database.close()
    assert sums[0] == sums[1]
    assert sums[0] != sums[2]


def test_refresh_replaces_rather_than_duplicates(db: Database) -> None:
    messages: list[str] = []
    first = build_demo_workspace(db, progress=messages.append, actor=CLI_ADMIN)
    counts = {
        t: db.execute(f"SELECT count(*) FROM {t} WHERE workspace = 'demo'").fetchall()[0][0]
        for t in ("responses", "events", "customers", "attribute_sources", "personas", "imports")
    }
    revision = db.data_version(DEMO_WORKSPACE)
    second = build_demo_workspace(db, actor=CLI_ADMIN)
    again = {
        t: db.execute(f"SELECT count(*) FROM {t} WHERE workspace = 'demo'").fetchall()[0][0]
        for t in counts
    }
    assert again == counts
    assert counts["imports"] == 3 and counts["personas"] == 4
    assert first == second
    assert db.data_version(DEMO_WORKSPACE) > revision
    assert any("responses" in m for m in messages)
    journeys = db.execute("SELECT count(*) FROM journeys WHERE workspace = 'demo'").fetchall()
    assert journeys[0][0] == 1
    assert first.endswith(", 1 journey")
    assert demo_is_loaded(db)


def test_summary_line(db: Database) -> None:
    summary = build_demo_workspace(db, actor=CLI_ADMIN)
    n = {
        t: db.execute(f"SELECT count(*) FROM {t} WHERE workspace = 'demo'").fetchall()[0][0]
        for t in ("responses", "events", "customers")
    }
    assert summary.startswith("Demo workspace 'demo': 5,000 customers, ")
    assert f"{n['responses']:,} responses, {n['events']:,} events" in summary


def test_demo_is_loaded_false_on_empty_database(db: Database) -> None:
    assert demo_is_loaded(db) is False


def test_other_workspaces_are_untouched(db: Database) -> None:
    db.execute("INSERT INTO workspaces(name) VALUES ('acme')")
    db.execute(
        "INSERT INTO responses_base(response_id, workspace, import_id, nps) VALUES (1, 'acme', 0, 9)"
    )
    build_demo_workspace(db, actor=CLI_ADMIN)
    build_demo_workspace(db, actor=CLI_ADMIN)
    rows = db.execute("SELECT nps FROM responses WHERE workspace = 'acme'").fetchall()
    assert rows == [(9,)]


# -- size and shape ---------------------------------------------------------------------------
def test_customers(customers: pd.DataFrame, demo: Database) -> None:
    assert len(customers) == 5000
    assert customers.customer_id.is_unique
    assert customers.customer_id.str.fullmatch(r"BW-\d{5}").all()
    assert set(customers.segment) == set(DEMO_SEGMENTS)
    assert set(customers.persona) == set(DEMO_PERSONAS)
    assert (customers.first_seen < pd.Timestamp("2025-05-01")).mean() > 0.1
    churned = customers[customers.churned]
    assert 0.1 < customers.churned.mean() < 0.4
    assert churned.churned_at.notna().all()
    assert customers[~customers.churned].churned_at.isna().all()
    assert (churned.churned_at >= churned.first_seen).all()
    assert (customers.revenue > 0).all()
    # Enterprise plans cost more than consumer ones.
    per_month = customers.groupby("segment").revenue.median()
    assert per_month["Enterprise"] > 3 * per_month["Consumer"]
    personas = demo.execute(
        "SELECT name, description FROM personas WHERE workspace = 'demo' ORDER BY name"
    ).fetchall()
    assert dict(personas) == DEMO_PERSONAS


def test_churn_is_higher_for_detractors_and_consumers(
    customers: pd.DataFrame, responses: pd.DataFrame
) -> None:
    mean_nps = responses.groupby("customer_id").nps.mean().rename("mean_nps")
    joined = customers.join(mean_nps, on="customer_id").dropna(subset=["mean_nps"])
    detractors = joined[joined.mean_nps <= 6]
    promoters = joined[joined.mean_nps >= 9]
    assert detractors.churned.mean() > 1.5 * promoters.churned.mean()
    by_segment = customers.groupby("segment").churned.mean()
    assert by_segment["Consumer"] > 2 * by_segment["Enterprise"]


def test_responses_shape(responses: pd.DataFrame, customers: pd.DataFrame) -> None:
    assert len(responses) >= 20_000
    months = responses.submitted_at.dt.to_period("M")
    assert months.nunique() == 18
    assert str(months.min()) == "2025-05" and str(months.max()) == "2026-10"
    assert set(responses.touchpoint) <= set(STAGE_OF)
    assert (responses.stage == responses.touchpoint.map(STAGE_OF)).all()
    assert (responses.channel == responses.touchpoint.map(CHANNEL_OF)).all()
    assert set(responses.customer_id) <= set(customers.customer_id)
    # Segment and persona are the customer's.
    merged = responses.merge(customers, on="customer_id", suffixes=("", "_c"))
    assert (merged.segment == merged.segment_c).all()
    assert (merged.persona == merged.persona_c).all()
    # Scores in range; not every response has every score; every response answers something.
    assert responses.nps.dropna().between(0, 10).all()
    assert responses.csat.dropna().between(1, 5).all()
    assert responses.ces.dropna().between(1, 7).all()
    has = responses[["nps", "csat", "ces"]].notna()
    assert (has.any(axis=1) | responses.comment.notna()).all()
    nps_only = has.nps & ~has.csat & ~has.ces
    assert 0.05 < nps_only.mean() < 0.5
    assert (has.all(axis=1)).mean() < 0.5
    assert (~has.nps).sum() > 1000
    assert set(responses.nps.dropna().astype(int)) == set(range(11))


def test_comments_vary_by_touchpoint_and_score(responses: pd.DataFrame) -> None:
    comments = responses.comment.dropna()
    assert 0.35 < len(comments) / len(responses) < 0.55
    assert comments.nunique() > 200
    assert comments.str.contains("£").sum() > 20
    install = responses[(responses.touchpoint == "Installation") & responses.comment.notna()]
    low = install[install.nps <= 4].comment
    high = install[install.nps >= 9].comment
    assert low.str.contains("turn up|nobody came|no show|rescheduled|mess|kit").mean() > 0.4
    assert high.str.contains("quick and tidy|explained|neatly|cleaned up").mean() > 0.4
    assert not high.str.contains("didn't turn up").any()


def test_rating_attributes(demo: Database, responses: pd.DataFrame) -> None:
    cols = _frame(
        demo, "SELECT * FROM attribute_columns WHERE workspace = 'demo' AND kind = 'responses'"
    ).set_index("name")
    assert set(RATING_ATTRIBUTES) <= set(cols.index)
    assert {"Region", "Plan"} <= set(cols.index)
    for name in RATING_ATTRIBUTES:
        assert cols.loc[name, "dtype"] == "numeric"
        assert bool(cols.loc[name, "zero_means_na"])
        assert cols.loc[name, "min_value"] in (0.0, 1.0)
        assert cols.loc[name, "max_value"] == 5.0
    assert cols.loc["Region", "dtype"] == "text"
    attrs = attribute_values(duckdb_engine(demo), "demo", "responses").to_pandas()
    attrs = attrs[attrs.num_value.notna()]
    wide = attrs.pivot(index="row_id", columns="name", values="num_value")
    scores = responses.assign(row_id=responses.response_id).set_index("row_id").nps
    wide = wide.join(scores).dropna(subset=["nps"])
    assert wide[list(RATING_ATTRIBUTES)].isin([0, 1, 2, 3, 4, 5]).all().all()
    assert (wide["Staff helpfulness"] == 0).mean() > 0.3  # not asked: not applicable

    def corr(name: str) -> float:
        rated = wide[wide[name] > 0]
        return float(np.corrcoef(rated[name], rated.nps)[0, 1])

    assert corr("Speed rating") > 0.3
    assert corr("Speed rating") > corr("Value for money") > corr("Ease of setup")
    assert corr("Ease of setup") < 0.15


def test_events_shape(events: pd.DataFrame, customers: pd.DataFrame) -> None:
    assert 100_000 <= len(events) <= 200_000
    assert set(events.touchpoint) == set(STAGE_OF)
    assert (events.stage == events.touchpoint.map(STAGE_OF)).all()
    assert (events.channel == events.touchpoint.map(CHANNEL_OF)).all()
    known = events.customer_id.isin(customers.customer_id)
    prospects = events[~known]
    # Prospects: never purchase (no order confirmation), never onboard.
    assert prospects.customer_id.nunique() > 1000
    assert prospects.stage.isin(["Awareness", "Research", "Purchase"]).all()
    assert not (prospects.touchpoint == "Order confirmation email").any()
    assert (prospects.touchpoint == "Online checkout").any()  # abandoned checkouts
    # Not everyone uses Live chat.
    users = events[known]
    chat_share = users[users.touchpoint == "Live chat"].customer_id.nunique() / 5000
    assert 0.1 < chat_share < 0.7


def test_each_journey_is_time_ordered(events: pd.DataFrame, customers: pd.DataFrame) -> None:
    users = events[events.customer_id.isin(customers.customer_id)]
    first_at = users.groupby(["customer_id", "stage"]).occurred_at.min().unstack()
    checkout = users[users.touchpoint == "Online checkout"].groupby("customer_id").occurred_at.min()
    seen = customers.set_index("customer_id").first_seen
    assert (checkout == seen.loc[checkout.index]).all()
    assert (first_at["Awareness"] < first_at["Purchase"]).all()
    research = first_at["Research"].dropna()
    assert (research < first_at.loc[research.index, "Purchase"]).all()
    onboard = first_at["Onboarding"].dropna()
    gap = (onboard - first_at.loc[onboard.index, "Purchase"]).dt.total_seconds() / 86400
    assert gap.between(0.5, 30).all()
    # Nobody has events after they churned.
    last = users.groupby("customer_id").occurred_at.max()
    churned = customers[customers.churned].set_index("customer_id").churned_at
    common = churned.index.intersection(last.index)
    assert (last.loc[common] <= churned.loc[common]).all()
    # Going back: some customers research again after a support contact.
    ordered = users.assign(order=users.stage.map(STAGE_ORDER))
    prev = ordered.groupby("customer_id").stage.shift()
    assert ((prev == "Support") & (ordered.stage == "Research")).sum() > 50


def test_repeat_phone_callers_score_lower(events: pd.DataFrame, responses: pd.DataFrame) -> None:
    calls = events[events.touchpoint == "Phone support"].groupby("customer_id").size()
    repeaters = calls[calls >= 2].index
    assert len(repeaters) > 100
    phone = responses[responses.touchpoint == "Phone support"]
    assert _nps(phone[phone.customer_id.isin(repeaters)].nps) < _nps(
        phone[~phone.customer_id.isin(repeaters)].nps
    )


# -- the story --------------------------------------------------------------------------------
def test_touchpoint_story(responses: pd.DataFrame) -> None:
    by_tp = responses.groupby("touchpoint").nps.mean()
    assert by_tp["Installation"] < by_tp["Mobile app"] - 1
    assert by_tp["Phone support"] < by_tp["Delivery"] - 1
    by_segment = responses.groupby("segment").nps.apply(_nps)
    assert by_segment["Enterprise"] > by_segment["Consumer"] + 10
    by_persona = responses.groupby("persona").nps.apply(_nps)
    assert by_persona.idxmin() == "Student Sharer"


def test_phone_support_improves_after_the_fix(responses: pd.DataFrame) -> None:
    phone = responses[responses.touchpoint == "Phone support"]
    before = phone[phone.submitted_at < pd.Timestamp("2026-03-01")].nps
    after = phone[phone.submitted_at >= pd.Timestamp("2026-04-01")].nps
    assert _nps(after) > _nps(before) + 15
    assert before.notna().sum() > 300 and after.notna().sum() > 300


def test_price_rise_hurts_renewals(responses: pd.DataFrame) -> None:
    renewal = responses[responses.touchpoint == "Renewal offer"]
    before = renewal[renewal.submitted_at < pd.Timestamp("2026-07-01")].nps
    after = renewal[renewal.submitted_at >= pd.Timestamp("2026-07-01")].nps
    assert _nps(after) < _nps(before) - 20


# -- in memory and samples --------------------------------------------------------------------
def test_generate_is_deterministic_in_memory() -> None:
    a = generate_demo(seed=3, n_customers=300, n_prospects=50)
    b = generate_demo(seed=3, n_customers=300, n_prospects=50)
    pd.testing.assert_frame_equal(a.responses, b.responses)
    pd.testing.assert_frame_equal(a.events, b.events)
    pd.testing.assert_frame_equal(a.customers, b.customers)


def test_write_demo_samples(tmp_path: Path) -> None:
    paths = write_demo_samples(tmp_path)
    names = sorted(p.name for p in paths)
    assert names == ["customers.xlsx", "survey_export.csv", "touchpoint_events.csv"]
    assert sum(p.stat().st_size for p in paths) < 200_000
    with open(tmp_path / "survey_export.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:5] == [
        "Date",
        "How likely are you to recommend us to a friend?",
        "Customer satisfaction (1-5)",
        "Comment",
        "Store",
    ]
    assert 400 <= len(body) <= 600
    day, month, year = body[0][0].split("/")
    assert len(year) == 4 and 1 <= int(month) <= 12 and 1 <= int(day) <= 31
    assert any(int(r[0].split("/")[0]) > 12 for r in body)  # day-first is detectable
    nps_values = [int(r[1]) for r in body if r[1]]
    assert set(nps_values) <= set(range(11)) and len(set(nps_values)) > 5
    events = pd.read_csv(tmp_path / "touchpoint_events.csv")
    assert 1500 <= len(events) <= 2500
    assert set(events["Touchpoint"]) <= set(STAGE_OF)
    book = openpyxl.load_workbook(tmp_path / "customers.xlsx", read_only=True)
    sheet = book.worksheets[0]
    data = list(sheet.iter_rows(values_only=True))
    assert 250 <= len(data) - 1 <= 350
    assert data[0][0] == "Customer ID"
    book.close()
    # Same files each time.
    again = write_demo_samples(tmp_path / "again")
    for p, q in zip(sorted(paths), sorted(again), strict=True):
        if p.suffix == ".csv":
            assert p.read_bytes() == q.read_bytes()


SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


def test_committed_samples_match_the_generator(tmp_path: Path) -> None:
    fresh = {p.name: p for p in write_demo_samples(tmp_path)}
    for name in ("survey_export.csv", "touchpoint_events.csv"):
        assert (SAMPLES / name).read_bytes() == fresh[name].read_bytes(), name
    assert (SAMPLES / "customers.xlsx").exists()


EXPECTED_ROLES = {
    "survey_export.csv": {
        "submitted_at": "Date",
        "nps": "How likely are you to recommend us to a friend?",
        "csat": "Customer satisfaction (1-5)",
        "comment": "Comment",
    },
    "touchpoint_events.csv": {
        "customer_id": "Customer",
        "occurred_at": "Timestamp",
        "touchpoint": "Touchpoint",
        "channel": "Channel",
    },
    "customers.xlsx": {
        "customer_id": "Customer ID",
        "segment": "Segment",
        "persona": "Persona",
        "first_seen": "Signup date",
        "churned": "Churned",
        "churned_at": "Churn date",
        "revenue": "Revenue (£)",
    },
}


@pytest.mark.parametrize(
    ("name", "kind", "rows"),
    [
        ("survey_export.csv", "responses", 500),
        ("touchpoint_events.csv", "events", 2000),
        ("customers.xlsx", "customers", 300),
    ],
)
def test_samples_import_without_manual_mapping(
    db: Database, name: str, kind: str, rows: int
) -> None:
    from cem.ingest.load import import_file
    from cem.store.workspaces import create_workspace

    create_workspace(db, "samples", actor=CLI_ADMIN)
    result = import_file(db, "samples", SAMPLES / name, kind, actor=LOCAL_ADMIN)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (rows, rows, 0)
    assert EXPECTED_ROLES[name].items() <= result.mapping.roles.items()
    if kind == "responses":  # day-first dates were read as such
        first = db.execute(
            "SELECT submitted_at, nps, csat FROM responses WHERE workspace = 'samples' "
            "ORDER BY source_row LIMIT 1"
        ).fetchall()[0]
        with open(SAMPLES / name, encoding="utf-8", newline="") as fh:
            row = list(csv.reader(fh, delimiter=";"))[1]
        day, month, year = (int(x) for x in row[0].split("/"))
        assert (first[0].year, first[0].month, first[0].day) == (year, month, day)
        assert first[1] == (int(row[1]) if row[1] else None)
        assert first[2] == (int(row[2]) if row[2] else None)
