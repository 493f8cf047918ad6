"""Verbal scales in Italian, Dutch, Danish and Portuguese, and a Likert "satisfied" column
confirmed as CSAT (never guessed): in the import code and on the import page.

Small CSV fixtures are written here; the expected ranks come from label orders written out
by hand in this file, never from the code under test."""

from __future__ import annotations

from pathlib import Path

import pytest

from cem.access.principal import LOCAL_ADMIN
from cem.analytics.engine import duckdb_engine
from cem.analytics.kpi_frames import kpi_frame
from cem.errors import MappingError
from cem.ingest.detect import ROLES
from cem.ingest.explain import detection_report
from cem.ingest.load import apply_overrides, detect_mapping, import_file, read_upload
from cem.store.db import Database
from tests.conftest import OpenPage

WS = "acme"
SATISFIED = ["Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"]
QUESTION = "How satisfied were you with your visit?"


def _write(path: Path, header: str, answers: list[str]) -> Path:
    lines = [f"Respondent,Date,{header}"]
    lines += [f"r{i},2024-03-{1 + i % 28:02d},{a}" for i, a in enumerate(answers)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# (language, header, labels in order, the "don't know" answer, answers as given)
LANGUAGES = [
    (
        "it",
        "Quanto è d'accordo?",
        ["Fortemente in disaccordo", "In disaccordo", "D'accordo", "Fortemente d'accordo"],
        "Non so",
        ["D'accordo", "fortemente d'accordo", "In disaccordo", "Non so", "D'accordo"],
    ),
    (
        "nl",
        "Hoe tevreden bent u?",
        ["Zeer ontevreden", "Ontevreden", "Neutraal", "Tevreden", "Zeer tevreden"],
        "Weet niet",
        ["Tevreden", "Zeer tevreden", "Ontevreden", "Weet niet", "Neutraal", "Tevreden"],
    ),
    (
        "da",
        "Hvor ofte handler du hos os?",
        ["Aldrig", "Sjældent", "Nogle gange", "Ofte", "Altid"],
        "Ved ikke",
        ["Sjældent", "Ofte", "Altid", "Ved ikke", "Sjældent", "Aldrig"],
    ),
    (
        "pt",
        "Você concorda?",
        [
            "Discordo totalmente",
            "Discordo",
            "Não concordo nem discordo",
            "Concordo",
            "Concordo totalmente",
        ],
        "Não sei",
        ["Concordo", "Não concordo nem discordo", "Discordo totalmente", "Não sei", "Concordo"],
    ),
    (
        "pt-likely",
        "Qual a probabilidade de voltar?",
        [
            "Nada provável",
            "Pouco provável",
            "Provável",
            "Muito provável",
            "Extremamente provável",
        ],
        "Prefiro não responder",
        ["Muito provável", "Provável", "Prefiro não responder", "Nada provável"],
    ),
]


@pytest.mark.parametrize(
    ("language", "header", "labels", "dont_know", "answers"),
    LANGUAGES,
    ids=[lang[0] for lang in LANGUAGES],
)
def test_scales_in_italian_dutch_danish_portuguese(
    db: Database,
    tmp_path: Path,
    language: str,
    header: str,
    labels: list[str],
    dont_know: str,
    answers: list[str],
) -> None:
    path = _write(tmp_path / f"{language}.csv", header, answers)
    result = import_file(db, WS, path, actor=LOCAL_ADMIN)
    assert result.rows_rejected == 1  # only the "don't know" row: it answered nothing
    lowered = [label.lower() for label in labels]
    ranks = [lowered.index(a.lower()) + 1 for a in answers if a != dont_know]
    frame = kpi_frame(duckdb_engine(db), WS, f"attr:{header}")
    assert int(frame.n.iloc[0]) == len(ranks)
    assert float(frame.value.iloc[0]) == pytest.approx(sum(ranks) / len(ranks))


def _satisfied_file(tmp_path: Path) -> tuple[Path, list[str]]:
    answers = ["Very satisfied", "Dissatisfied", "Neutral", "Satisfied", "Very dissatisfied"]
    answers += ["Don't know", "Meh", "Very satisfied", "Satisfied"]
    return _write(tmp_path / "satisfied.csv", QUESTION, answers), answers


def test_a_satisfied_scale_is_never_guessed_as_csat_but_can_be_confirmed(
    db: Database, tmp_path: Path
) -> None:
    path, answers = _satisfied_file(tmp_path)
    with read_upload(path) as upload:
        mapping = detect_mapping(upload)
        assert "csat" not in mapping.roles  # not guessed
        assert any(QUESTION in n and "choose it for CSAT" in n for n in mapping.notes)
        result = import_file(db, WS, upload, actor=LOCAL_ADMIN, overrides={"csat": QUESTION})
    expected = [SATISFIED.index(a) + 1 for a in answers if a in SATISFIED]
    got = db.execute(
        "SELECT csat FROM responses WHERE workspace = ? AND csat IS NOT NULL ORDER BY customer_id",
        [WS],
    ).fetchall()
    by_row = sorted(
        (f"r{i}", SATISFIED.index(a) + 1) for i, a in enumerate(answers) if a in SATISFIED
    )
    assert [c for (c,) in got] == [rank for _, rank in by_row]
    assert result.rows_loaded == len(expected)
    # "Meh" is a row-level reject naming the cell; "Don't know" is a blank answer.
    rejects = result.rejects
    meh = rejects[rejects["value"] == "Meh"]
    assert list(meh["row"]) == [answers.index("Meh") + 2]
    assert meh["reason"].iloc[0] == (
        "not an answer of the CSAT scale (Very dissatisfied … Very satisfied, or 1-5)"
    )
    frame = kpi_frame(duckdb_engine(db), WS, "csat")
    assert int(frame.n.iloc[0]) == len(expected)
    assert float(frame.value.iloc[0]) == pytest.approx(
        100 * sum(1 for r in expected if r >= 4) / len(expected)
    )


def test_a_verbal_scale_that_cannot_be_the_score_is_refused_in_words(tmp_path: Path) -> None:
    path, _ = _satisfied_file(tmp_path)
    seven = [
        "Strongly disagree",
        "Disagree",
        "Somewhat disagree",
        "Neither agree nor disagree",
        "Somewhat agree",
        "Agree",
        "Strongly agree",
    ]
    path7 = _write(tmp_path / "seven.csv", "It was easy to get help", seven + seven[:3])
    with read_upload(path) as upload:
        with pytest.raises(MappingError, match="cannot be NPS.*0 to 10.*CSAT"):
            apply_overrides(detect_mapping(upload), upload, {"nps": QUESTION})
    with read_upload(path7) as upload:
        header = "It was easy to get help"
        with pytest.raises(MappingError, match="7-point.*cannot be CSAT.*CES"):
            apply_overrides(detect_mapping(upload), upload, {"csat": header})
        apply_overrides(detect_mapping(upload), upload, {"ces": header})  # fits 1-7


def test_import_page_confirms_a_satisfied_scale_as_csat(
    app_env: Path, open_page: OpenPage, tmp_path: Path
) -> None:
    path, answers = _satisfied_file(tmp_path)
    at = open_page("pages/import_data.py", workspace="demo")
    at.file_uploader(key="import_file").set_value(("satisfied.csv", path.read_bytes(), "text/csv"))
    at.run()
    assert not at.exception
    roles = next(d.value for d in at.dataframe if "confidence" in d.value.columns)
    assert roles.set_index("column").loc[QUESTION, "role"] != "CSAT (1-5)"  # not guessed
    notes = "\n".join(str(m.value) for m in [*at.markdown, *at.info, *at.caption])
    assert "choose it for CSAT" in notes.replace("\\", "")
    at.session_state["import_mapping_responses"] = {
        "edited_rows": {ROLES["responses"].index("csat"): {"column": QUESTION}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    roles = next(d.value for d in at.dataframe if "confidence" in d.value.columns)
    assert roles.set_index("column").loc[QUESTION, "role"] == "CSAT (1-5)"
    at.button(key="import_button").click().run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    loaded = sum(1 for a in answers if a in SATISFIED)
    assert metrics["Rows loaded"] == str(loaded)
    db = Database(app_env)
    got = db.execute(
        "SELECT count(csat), sum(csat) FROM responses WHERE workspace = 'demo' AND import_id = "
        "(SELECT max(import_id) FROM imports WHERE file_name = 'satisfied.csv')"
    ).fetchone()
    db.close()
    assert got == (loaded, sum(SATISFIED.index(a) + 1 for a in answers if a in SATISFIED))


def test_cli_detect_text_says_what_an_attribute_is_kept_as(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cem.cli.main import main

    path, _ = _satisfied_file(tmp_path)
    assert main(["detect", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"{QUESTION}: kept as rating 1-5 (Very dissatisfied … Very satisfied)" not in out
    assert "choose it for CSAT" in out  # the stray "Meh" keeps it text, but the note says so
    path2 = _write(tmp_path / "clean.csv", QUESTION, SATISFIED * 2)
    assert main(["detect", str(path2)]) == 0
    out = capsys.readouterr().out
    assert f"{QUESTION}: kept as rating 1-5 (Very dissatisfied … Very satisfied) —" in out


def test_labelled_ends_of_a_0_10_scale_are_read_as_their_numbers(
    db: Database, tmp_path: Path
) -> None:
    """Survey tools write the ends of the recommend scale with their labels; dropping those
    rows would bias NPS (all the 0s and 10s)."""
    answers = ["10 - Extremely likely", "9", "8", "0 - Not at all likely", "7"]
    answers += ["10 - Extremely likely", "3", "6", "9", "10 - Extremely likely"]
    header = "How likely are you to recommend us to a friend?"
    path = _write(tmp_path / "anchored.csv", header, answers)
    numbers = [int(a.split(" ")[0]) for a in answers]
    expected = 100 * (sum(n >= 9 for n in numbers) - sum(n <= 6 for n in numbers)) / len(numbers)
    assert expected == 20.0  # worked by hand: 5 promoters, 3 detractors of 10
    with read_upload(path) as upload:
        mapping = detect_mapping(upload)
        assert mapping.roles["nps"] == header
        assert any("read as their number" in n for n in mapping.notes)  # said, not silent
        result = import_file(db, WS, upload, mapping=mapping, actor=LOCAL_ADMIN)
    assert (result.rows_loaded, result.rows_rejected) == (10, 0)
    frame = kpi_frame(duckdb_engine(db), WS, "nps")
    assert (int(frame.n.iloc[0]), float(frame.value.iloc[0])) == (10, pytest.approx(expected))
    # Coded choices that all carry a label stay text.
    coded = _write(tmp_path / "coded.csv", "Did it arrive?", ["1 - Yes", "2 - No", "1 - Yes"])
    with read_upload(coded) as upload:
        assert upload.anchored == []


AGREE = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]


def _agree_file(tmp_path: Path, strays: list[str]) -> tuple[Path, list[str]]:
    """A rating column (no score wording) answered on an agreement scale, 60 labelled
    answers, one "Don't know" and the given stray answers, with an NPS column beside it."""
    answers = [AGREE[i % 5] for i in range(60)] + ["Don't know"] + strays
    lines = ["Respondent,Date,NPS,The staff were friendly"]
    lines += [f"r{i},2024-03-{1 + i % 28:02d},{i % 11},{a}" for i, a in enumerate(answers)]
    path = tmp_path / "agree.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, answers


def test_a_few_stray_answers_keep_a_verbal_scale_a_rating_and_are_named(
    db: Database, tmp_path: Path
) -> None:
    path, answers = _agree_file(tmp_path, ["Kinda"])
    with read_upload(path) as upload:
        mapping = detect_mapping(upload)
        report = detection_report(upload, mapping)
        reason = next(
            c["reason"] for c in report["columns"] if c["name"] == "The staff were friendly"
        )
        result = import_file(db, WS, upload, actor=LOCAL_ADMIN)
    assert "not labels (Kinda)" in reason
    assert result.rows_loaded == len(answers)  # the NPS answers every row
    assert result.notes == [
        "“The staff were friendly”: 1 of 61 answers are not labels of its scale, "
        "Strongly disagree … Strongly agree (1-5): read as no answer."
    ]
    dtype, lo, hi = db.execute(
        "SELECT dtype, min_value, max_value FROM attribute_columns WHERE workspace = ?", [WS]
    ).fetchall()[0]
    assert (dtype, lo, hi) == ("numeric", 1.0, 5.0)
    ranks = sorted(
        v for (v,) in db.execute(f"SELECT a0 FROM tp_attrs_{result.import_id}").fetchall() if v
    )
    assert ranks == sorted(AGREE.index(a) + 1 for a in answers if a in AGREE)


def test_many_stray_answers_keep_the_column_as_text(db: Database, tmp_path: Path) -> None:
    path, _ = _agree_file(tmp_path, [f"Other {k}" for k in range(6)])  # 6 of 66: 9%
    with read_upload(path) as upload:
        result = import_file(db, WS, upload, actor=LOCAL_ADMIN)
    (dtype,) = db.execute(
        "SELECT dtype FROM attribute_columns WHERE workspace = ?", [WS]
    ).fetchone()
    assert dtype == "text"
    assert result.notes == []
