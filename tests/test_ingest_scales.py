"""Verbal scales, yes/no answers, month names and UTC offsets, on small hand-made exports
(tests/fixtures/exports): what detection says, what loads, and what the KPI explorer and
the filter bar then show. Expected values are worked out here from the files with the
csv module and hand-written label orders, never by the code under test."""

from __future__ import annotations

import csv
import json
import math
from datetime import datetime
from pathlib import Path

import pytest

from cem.access.principal import LOCAL_ADMIN
from cem.analytics.catalogue import available_metrics, dimension_values
from cem.analytics.engine import duckdb_engine
from cem.analytics.filters import Filters
from cem.analytics.kpi_frames import kpi_frame
from cem.analytics.labels import kpi_table
from cem.ingest.load import detect_mapping, import_file, read_upload
from cem.store.db import Database

EXPORTS = Path(__file__).resolve().parent / "fixtures" / "exports"
WS = "acme"
AGREE = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database(tmp_path / "t.duckdb")


def column(name: str, header: str) -> list[str]:
    with open(EXPORTS / name, newline="", encoding="utf-8") as fh:
        return [row[header] for row in csv.DictReader(fh)]


def test_likert_labels_are_ordered_ratings_with_their_labels(db: Database) -> None:
    name = "likert_survey.csv"
    result = import_file(db, WS, EXPORTS / name, actor=LOCAL_ADMIN)
    assert result.kind == "responses"
    assert (result.rows_loaded, result.rows_rejected) == (8, 0)  # "Don't know" is no reject
    engine = duckdb_engine(db)
    # The mean of the 1-5 ranks, by hand: "Don't know" left out, case folded.
    q = "The staff were friendly"
    ranks = [AGREE.index(v.capitalize()) + 1 for v in column(name, q) if v != "Don't know"]
    frame = kpi_frame(engine, WS, f"attr:{q}")
    assert int(frame.n.iloc[0]) == len(ranks) == 7
    assert float(frame.value.iloc[0]) == pytest.approx(sum(ranks) / len(ranks))
    # Filters and splits show the labels, in the scale's order.
    values = dimension_values(engine, WS)[f"attr:{q}"]
    assert values == [f"{i + 1} · {label}" for i, label in enumerate(AGREE)]
    split = kpi_frame(engine, WS, f"attr:{q}", by=[f"attr:{q}"])
    shown = [v for v in split[f"attr:{q}"] if v != "(not set)"]
    assert shown == values
    table = kpi_table(split, f"attr:{q}", f"attr:{q}")  # the explorer's table of that split
    assert list(table.columns[:2]) == [f"{q} (answer)", q]
    # Filtering by a label keeps exactly the rows with that answer.
    agree = Filters(dimensions=((f"attr:{q}", ("4 · Agree",)),))
    by_hand = sum(1 for v in column(name, q) if v.lower() == "agree")
    assert int(kpi_frame(engine, WS, f"attr:{q}", filters=agree).n.iloc[0]) == by_hand == 2


@pytest.mark.parametrize(
    ("header", "labels", "missing"),
    [
        (
            "La tienda está limpia",
            [
                "Totalmente en desacuerdo",
                "En desacuerdo",
                "Ni de acuerdo ni en desacuerdo",
                "De acuerdo",
                "Totalmente de acuerdo",
            ],
            "No sé",
        ),
        (
            "Le site est facile à utiliser",
            [
                "Pas du tout d'accord",
                "Pas d'accord",
                "Ni d'accord ni pas d'accord",
                "D'accord",
                "Tout à fait d'accord",
            ],
            "Ne sais pas",
        ),
        (
            "Die Beratung war gut",
            [
                "Stimme überhaupt nicht zu",
                "Stimme nicht zu",
                "Stimme zu",
                "Stimme voll und ganz zu",
            ],
            "Weiß nicht",
        ),
        (
            "What is your opinion of our brand?",
            ["Very unfavorably", "Somewhat unfavorably", "Somewhat favorably", "Very favorably"],
            "Unfamiliar",
        ),
        ("How often do you shop with us?", ["Never", "Rarely", "Sometimes", "Often", "Always"], ""),
    ],
)
def test_scales_in_other_languages(
    db: Database, header: str, labels: list[str], missing: str
) -> None:
    import_file(db, WS, EXPORTS / "likert_survey.csv", actor=LOCAL_ADMIN)
    folded = [label.lower().replace("’", "'") for label in labels]
    answers = [v.lower().replace("’", "'") for v in column("likert_survey.csv", header)]
    ranks = [folded.index(v) + 1 for v in answers if v in folded]
    assert len(ranks) == len([v for v in answers if v not in (missing.lower(), "unfamiliar")])
    frame = kpi_frame(duckdb_engine(db), WS, f"attr:{header}")
    assert int(frame.n.iloc[0]) == len(ranks)
    assert float(frame.value.iloc[0]) == pytest.approx(sum(ranks) / len(ranks))


def test_yes_no_answer_reads_as_percent_yes_inside_0_100(db: Database) -> None:
    import_file(db, WS, EXPORTS / "likert_survey.csv", actor=LOCAL_ADMIN)
    engine = duckdb_engine(db)
    q = "Would you shop again?"
    answers = [v for v in column("likert_survey.csv", q) if v in ("Yes", "No")]
    assert available_metrics(engine, WS)[f"attr:{q}"] == f"{q} (% yes)"
    frame = kpi_frame(engine, WS, f"attr:{q}")
    share = 100 * answers.count("Yes") / len(answers)
    assert float(frame.value.iloc[0]) == pytest.approx(share)
    assert 0.0 <= float(frame.ci_low.iloc[0]) <= share <= float(frame.ci_high.iloc[0]) <= 100.0
    assert dimension_values(engine, WS)[f"attr:{q}"] == ["No", "Yes"]


def test_percent_yes_band_never_leaves_0_100(db: Database, tmp_path: Path) -> None:
    """1 yes in 25 answers: the normal approximation's band would go below 0%."""
    path = tmp_path / "flags.csv"
    rows = ["id,Did we solve your problem?,How easy was it to get help?"]
    rows += [f"c{i},{'Yes' if i == 0 else 'No'},{1 + i % 7}" for i in range(25)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    import_file(db, WS, path, actor=LOCAL_ADMIN)
    frame = kpi_frame(duckdb_engine(db), WS, "attr:Did we solve your problem?")
    p, n = 1 / 25, 25
    assert float(frame.value.iloc[0]) == pytest.approx(100 * p)
    assert 100 * (p - 1.96 * math.sqrt(p * (1 - p) / n)) < 0  # the case is what it says
    assert float(frame.ci_low.iloc[0]) >= 0.0 and float(frame.ci_high.iloc[0]) <= 100.0


def test_month_names_durations_and_the_response_date(db: Database) -> None:
    name = "worded_dates.csv"
    with read_upload(EXPORTS / name) as upload:
        mapping = detect_mapping(upload)
    assert mapping.roles["submitted_at"] == "Oprettet"  # not the experience date
    assert "Varighed" not in mapping.roles.values()  # 0:42:10 is a duration
    result = import_file(db, WS, EXPORTS / name, actor=LOCAL_ADMIN)
    assert (result.rows_loaded, result.rows_rejected) == (4, 1)  # 31. februar is no date
    assert "not a date" in result.rejects.reason.iloc[0]
    got = [r[0] for r in db.execute("SELECT submitted_at FROM responses ORDER BY 1").fetchall()]
    assert got == [
        datetime(2023, 11, 13),
        datetime(2023, 12, 3, 14, 5),
        datetime(2024, 1, 5),
        datetime(2024, 5, 1),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 de marzo de 2024", datetime(2024, 3, 3)),
        ("3 mars 2024", datetime(2024, 3, 3)),
        ("3. März 2024", datetime(2024, 3, 3)),
        ("13. november 2023", datetime(2023, 11, 13)),
        ("5 de março de 2024", datetime(2024, 3, 5)),
        ("1 févr. 2024", datetime(2024, 2, 1)),
        ("13 maggio 2024 10:30", datetime(2024, 5, 13, 10, 30)),  # it
        ("2 maart 2024", datetime(2024, 3, 2)),  # nl
        ("1 ottobre 2023", datetime(2023, 10, 1)),  # it
        ("14 mei 2024", datetime(2024, 5, 14)),  # nl
    ],
)
def test_month_names_in_eight_languages(
    db: Database, tmp_path: Path, text: str, expected: datetime
) -> None:
    path = tmp_path / "d.csv"
    rows = ["date,Would you recommend us?", f'"{text}",9', f'"{text}",7']
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    import_file(db, WS, path, actor=LOCAL_ADMIN)
    assert db.execute("SELECT DISTINCT submitted_at FROM responses").fetchall() == [(expected,)]


def test_iso_offsets_are_normalised_to_utc(db: Database) -> None:
    name = "offsets.csv"
    result = import_file(db, WS, EXPORTS / name, actor=LOCAL_ADMIN)
    assert result.rows_loaded == 4
    assert "UTC" in result.mapping.date_formats["Recorded Date"].label
    by_hand = {  # the written time minus its offset
        "a1": datetime(2024, 3, 1, 8, 0),
        "a2": datetime(2024, 3, 2, 2, 30),
        "a3": datetime(2024, 3, 2, 8, 15),
        "a4": datetime(2024, 3, 2, 3, 30, 0, 500000),
    }
    got = sorted(r[0] for r in db.execute("SELECT submitted_at FROM responses").fetchall())
    assert got == sorted(by_hand.values())


def test_cli_detect_json_has_the_documented_shape(capsys: pytest.CaptureFixture[str]) -> None:
    """Exactly the keys the README documents, with their types."""
    from cem.cli.main import main

    assert main(["detect", str(EXPORTS / "likert_survey.csv"), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {
        "file",
        "kind",
        "kind_reason",
        "header_rows",
        "sheet",
        "sheets",
        "roles",
        "constants",
        "comment_fields",
        "date_formats",
        "columns",
        "notes",
        "warnings",
    }
    assert out["kind"] == "responses" and out["header_rows"] == 1
    assert out["roles"] == {"customer_id": "Respondent ID", "submitted_at": "Date submitted"}
    with open(EXPORTS / "likert_survey.csv", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert [c["name"] for c in out["columns"]] == header
    for c in out["columns"]:
        assert set(c) == {
            "name",
            "role",
            "type",
            "confidence",
            "reason",
            "please_check",
            "kept_as",
        }
        assert isinstance(c["reason"], str) and c["reason"]
        assert 0.0 <= c["confidence"] <= 1.0
    assert out["warnings"] == []
    assert main(["detect", str(EXPORTS / "epoch_dates.csv"), "--format", "json"]) == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    assert warnings and all(
        set(w) == {"code", "column", "message", "count", "remedy"} for w in warnings
    )
