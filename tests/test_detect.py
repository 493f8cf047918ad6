"""Role detection from header names and value ranges, and date format detection."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cem.ingest.dates import alternative_format, detect_date_format
from cem.ingest.detect import ATTRIBUTE, IGNORE, detect_roles, fallback_touchpoint


def roles(data: dict[str, list[str | None]], kind: str) -> dict[str, str]:
    return {g.column: g.role for g in detect_roles(pd.DataFrame(data), kind)}


@pytest.mark.parametrize(
    ("header", "values", "role"),
    [
        ("How likely are you to recommend Acme to a friend?", ["9", "10", "3"], "nps"),
        ("NPS", ["0", "7", "10"], "nps"),
        ("Rating", ["1", "4", "5"], ATTRIBUTE),  # star ratings are ratings, not CSAT
        ("Score", ["2", "5", "4"], ATTRIBUTE),
        ("How satisfied were you with your visit?", ["2", "5", "4"], "csat"),
        ("CSAT", ["1", "2", "5"], "csat"),
        ("Customer Effort Score", ["1", "7", "4"], "ces"),
        ("Review Text", ["Loved it, will come back", "Too slow", "ok"], "comment"),
        ("Comments", ["Nice staff", "Cold food", "meh"], "comment"),
        ("Date", ["2024-01-02", "2024-02-03", "2024-03-04"], "submitted_at"),
        (
            "Created at",
            ["2024-01-02 10:00", "2024-02-03 11:00", "2024-03-04 12:00"],
            "submitted_at",
        ),
        ("customerID", ["7590-VHVEG", "5575-GNVDE", "3668-QPYBK"], "customer_id"),
        ("Channel", ["web", "app", "phone"], "channel"),
        ("Journey stage", ["Buy", "Use", "Pay"], "stage"),
        ("Persona", ["Busy Parent", "Student", "Busy Parent"], "persona"),
    ],
)
def test_response_header_variants(header: str, values: list[str], role: str) -> None:
    assert roles({header: values}, "responses")[header] == role


def test_customer_headers_prefer_total_revenue_and_churn_flags() -> None:
    got = roles(
        {
            "customerID": ["a", "b", "c"],
            "MonthlyCharges": ["29.85", "56.95", "53.85"],
            "TotalCharges": ["29.85", " ", "108.15"],
            "Churn": ["No", "Yes", "No"],
            "SignUpDate": ["2023-01-05", "2023-02-01", "2023-03-09"],
            "Segment": ["SMB", "Consumer", "SMB"],
        },
        "customers",
    )
    assert got == {
        "customerID": "customer_id",
        "MonthlyCharges": ATTRIBUTE,
        "TotalCharges": "revenue",
        "Churn": "churned",
        "SignUpDate": "first_seen",
        "Segment": "segment",
    }


def test_event_timestamps_prefer_start_times_and_skip_next_columns() -> None:
    got = roles(
        {
            "id_visitor": ["v1", "v2", "v3"],
            "ds": ["2015-02-16", "2015-02-17", "2015-02-18"],
            "ts_min": ["2015-02-16 21:50:41", "2015-02-17 01:00:00", "2015-02-18 02:00:00"],
            "ts_max": ["2015-02-16 22:13:42", "2015-02-17 01:10:00", "2015-02-18 02:30:00"],
            "dim_device_app_combo": ["iPhone - iOS", "Desktop - Chrome", "iPad - Web"],
            "next_dim_device_app_combo": ["Desktop - Chrome", "iPad - Web", None],
        },
        "events",
    )
    assert got["id_visitor"] == "customer_id"
    assert got["ts_min"] == "occurred_at"
    assert got["dim_device_app_combo"] == "channel"
    assert got["next_dim_device_app_combo"] == ATTRIBUTE
    guesses = detect_roles(
        pd.DataFrame({"user": ["a"], "timestamp": ["2024-01-01"], "device": ["web"]}), "events"
    )
    fb = fallback_touchpoint(guesses)
    assert fb is not None and fb.column == "device"


def test_value_ranges_alone_are_ratings_never_scores() -> None:
    # No header wording: a 0-10 column and a 1-5 column are rating attributes, not NPS/CSAT.
    guesses = detect_roles(
        pd.DataFrame(
            {
                "q1": ["0", "9", "10", "7", "3"],
                "q2": ["1", "4", "5", "2", "3"],
                "remarks_col": ["x", "y", "z", "w", "v"],
            }
        ),
        "responses",
    )
    got = {g.column: g for g in guesses}
    assert got["q1"].role == ATTRIBUTE and got["q2"].role == ATTRIBUTE
    assert "rating attribute" in got["q1"].why
    # Two 1-5 columns: ambiguous, neither is guessed.
    got = roles({"a": ["1", "4", "5"], "b": ["2", "3", "5"]}, "responses")
    assert got == {"a": ATTRIBUTE, "b": ATTRIBUTE}


def test_values_that_contradict_the_header_win() -> None:
    got = roles(
        {"NPS_RATING": ["Promoter", "Detractor", "Passive"], "NPS_SCORE": ["10", "0", "7"]},
        "responses",
    )
    assert got == {"NPS_RATING": ATTRIBUTE, "NPS_SCORE": "nps"}
    # A 0-5 "ease" rating where 0 = not applicable is not a CES score.
    got = roles({"Ease of booking": ["0", "3", "5", "1"]}, "responses")
    assert got["Ease of booking"] == ATTRIBUTE
    # A yes/no question whose header holds a channel word ("device") is not a channel.
    answers = ["Yes", "No", "No internet service", "No", "Yes"] * 5
    got = roles(
        {"DeviceProtection": answers, "Device type": ["web", "app"] * 12 + ["web"]}, "responses"
    )
    assert got == {"DeviceProtection": ATTRIBUTE, "Device type": "channel"}


@pytest.mark.parametrize("header", ["", "Unnamed: 0", "number", "index"])
def test_leftover_index_columns_are_ignored(header: str) -> None:
    df = pd.DataFrame({header: ["0", "1", "2", "3"], "NPS": ["9", "8", "7", "6"]})
    assert detect_roles(df, "responses")[0].role == IGNORE
    # A column counting up but with a real name is kept.
    df = pd.DataFrame({"visits": ["0", "1", "2", "3"], "NPS": ["9", "8", "7", "6"]})
    assert detect_roles(df, "responses")[0].role == ATTRIBUTE


def test_every_guess_says_why() -> None:
    for g in detect_roles(pd.DataFrame({"Date": ["2024-01-01"], "NPS": ["9"]}), "responses"):
        assert g.why and 0 < g.confidence <= 1


@pytest.mark.parametrize(
    ("values", "label", "ambiguous"),
    [
        (["2024-03-01", "2024-12-31"], "ISO (YYYY-MM-DD)", False),
        (["2024-03-01T10:00:00Z"], "ISO (YYYY-MM-DD hh:mm)", False),
        (["2024-07-29 13:02:44", "2024-07-30 08:00:01"], "ISO (YYYY-MM-DD hh:mm)", False),
        (["13/04/2018 20:09", "01/05/2018 20:23"], "DD/MM/YYYY hh:mm (day-first)", False),
        (["04/13/2018", "05/01/2018"], "MM/DD/YYYY (month-first)", False),
        (["03.04.2018", "05.06.2018"], "DD.MM.YYYY (day-first)", True),
        (["19970101", "19980630"], "YYYYMMDD", False),
        (["5 Jan 2024", "17 Feb 2024"], "D Mon YYYY", False),
        (["2024/01/31"], "YYYY/MM/DD", False),
    ],
)
def test_date_formats(values: list[str], label: str, ambiguous: bool) -> None:
    fmt = detect_date_format(values)
    assert fmt is not None and fmt.label == label and fmt.ambiguous == ambiguous


def test_excel_serials_need_a_date_header_and_alternative_reading() -> None:
    assert detect_date_format(["45352", "45353"]) is None
    assert detect_date_format(["45352", "45353"], allow_serial=True).kind == "excel"
    fmt = detect_date_format(["03/04/2018"])
    alt = alternative_format(fmt)
    assert alt is not None and alt.label == "MM/DD/YYYY (month-first)"
    assert alt.formats[-1] == "%m/%d/%Y"


def test_detect_text_words_kept_columns_like_the_import_page(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """``python -m cem detect`` says "kept as …" where the Import page does, from the same
    guesses, and shows no confidence for such a column (the page shows none either)."""
    from cem.cli.main import main
    from cem.ingest.mapping import detect_mapping
    from cem.ingest.readers import read_upload

    path = tmp_path / "kept.csv"
    path.write_text(
        "customer_id,nps,rating,vip\nc1,9,4,yes\nc2,3,2,no\nc3,10,5,yes\nc4,7,3,no\n",
        encoding="utf-8",
    )
    with read_upload(str(path), path.name, None) as upload:
        kept = {g.column: g.kept_as for g in detect_mapping(upload, None).guesses}
    assert main(["detect", str(path)]) == 0
    lines = {
        line.split(":", 1)[0].strip(): line.split(":", 1)[1]
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("  ") and ":" in line
    }
    for column in ("rating", "vip"):
        assert kept[column], column
        assert lines[column].startswith(f" kept as {kept[column]} — "), lines[column]
    assert not any(text.startswith(" attribute") for text in lines.values())
    assert lines["nps"].startswith(" NPS (0-10) (")


def test_timestamps_no_reader_knows_are_not_free_text() -> None:
    """Varied, several 'words' long, but mostly digits: not a comment, whatever they are."""
    stamps = [f"Mon, {d:02d} Jul 2024 10:{d:02d}:00 GMT" for d in range(1, 29)]
    texts = [f"Support answered within {d} hours, thank you" for d in range(1, 29)]
    found = roles({"Sent": stamps, "Feedback given": texts}, "responses")
    assert found["Sent"] not in ("comment", "comment_field")
    assert found["Feedback given"] == "comment"


def test_detect_asks_about_a_0_to_10_column_and_says_how_to_confirm(capsys) -> None:  # type: ignore[no-untyped-def]
    """Delighted's "Score" stays a rating; ``cem detect`` says how to make it NPS, and a
    star rating or a count is never offered."""
    import json
    from pathlib import Path

    from cem.cli.main import main

    path = Path(__file__).parent / "fixtures" / "exports" / "delighted_scores.csv"
    assert main(["detect", str(path), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert "nps" not in report["roles"]
    assert [n for n in report["notes"] if "--map nps=Score" in n]
    from cem.ingest.explain import possible_nps_columns
    from cem.ingest.mapping import detect_mapping
    from cem.ingest.readers import read_upload

    stars = Path(__file__).parent / "fixtures" / "exports" / "reviews.csv"
    with read_upload(str(stars), stars.name, None) as upload:
        assert possible_nps_columns(upload, detect_mapping(upload, None)) == []


def test_product_analytics_exports_are_event_logs() -> None:
    """Mixpanel (distinct_id, Unix seconds) and GA4 (user_pseudo_id, microseconds): events
    with their times; the timestamp wins over a day-only date."""
    from cem.ingest.detect import detect_kind

    users = [f"u{k % 7}" for k in range(40)]
    mixpanel = pd.DataFrame(
        {
            "event": [["page_view", "add_to_cart", "purchase"][k % 3] for k in range(40)],
            "distinct_id": users,
            "time": [str(1717200000 + 97 * k) for k in range(40)],
        }
    )
    assert detect_kind(mixpanel).kind == "events"
    assert roles(mixpanel.to_dict("list"), "events") == {
        "event": "touchpoint",
        "distinct_id": "customer_id",
        "time": "occurred_at",
    }
    ga4 = {
        "event_date": ["20240601"] * 40,
        "event_timestamp": [str((1717200000 + 61 * k) * 1_000_000 + k) for k in range(40)],
        "event_name": mixpanel["event"].tolist(),
        "user_pseudo_id": users,
    }
    found = roles(ga4, "events")
    assert found["event_timestamp"] == "occurred_at" and found["user_pseudo_id"] == "customer_id"


@pytest.mark.parametrize(
    ("values", "label"),
    [
        (["1717200000", "1717286400"], "Unix time (seconds since 1970, UTC)"),
        (["1717200000000", "1717286400123"], "Unix time (milliseconds since 1970, UTC)"),
        (["1717200000000000"], "Unix time (microseconds since 1970, UTC)"),
    ],
)
def test_unix_times_need_a_time_header(values: list[str], label: str) -> None:
    assert detect_date_format(values, allow_serial=True).label == label
    assert detect_date_format(values) is None  # a plain number column is not a date


def test_a_customer_list_date_is_never_a_churn_date_by_its_values() -> None:
    """HubSpot: "Create Date" is the sign-up date; "Last Activity Date" stays an attribute
    (as a churn date it would make every customer churned)."""
    data = {
        "Email": [f"c{k}@firm.com" for k in range(30)],
        "Create Date": [f"2023-03-{k % 28 + 1:02d} 10:00" for k in range(30)],
        "Last Activity Date": [f"2024-03-{k % 28 + 1:02d} 10:00" for k in range(30)],
        "Annual Revenue": [str(1000 * k) for k in range(30)],
    }
    found = roles(data, "customers")
    assert found["Create Date"] == "first_seen"
    assert found["Last Activity Date"] not in ("churned_at", "churned")


def test_satisfaction_answered_in_words_is_asked_about_never_guessed() -> None:
    """JotForm: "how satisfied" answered Very dissatisfied … Very satisfied stays a rating;
    the mapping's notes ask the user to choose it for CSAT (``test_verbal_scores``)."""
    from cem.ingest.mapping import detect_mapping
    from cem.ingest.readers import read_upload

    labels = ["Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"]
    header = "Overall, how satisfied are you with our service?"
    found = roles({header: [labels[k % 5] for k in range(30)]}, "responses")
    assert found[header] == ATTRIBUTE
    path = Path(__file__).parent / "fixtures" / "exports" / "likert_survey.csv"
    with read_upload(str(path), path.name, None) as upload:
        notes = detect_mapping(upload, None).notes
    assert any("How satisfied are you with delivery?" in n and "CSAT" in n for n in notes)


def test_microsoft_forms_row_numbers_and_placeholder_emails_are_not_customers() -> None:
    data = {
        "ID": [str(k + 1) for k in range(30)],
        "Start time": [f"6/{k % 28 + 1}/2024 9:{k:02d}:00" for k in range(30)],
        "Completion time": [f"6/{k % 28 + 1}/2024 9:{k + 3:02d}:00" for k in range(30)],
        "Email": ["anonymous"] * 30,
        "How likely are you to recommend Contoso?": [str(k % 11) for k in range(30)],
    }
    found = roles(data, "responses")
    assert "customer_id" not in found.values()
    assert found["Completion time"] == "submitted_at"


def test_a_text_column_with_many_values_is_not_called_a_filter() -> None:
    """A filter lists at most CATALOGUE_MAX_VALUES values: a column of 200 different
    names is kept as text, and the page does not promise a filter it will not show."""
    from cem.analytics.attributes import CATALOGUE_MAX_VALUES
    from cem.ingest.profile import profile_column
    from cem.ingest.scoring import attribute_kind

    many = profile_column("Store", [f"Store {k} Main Street" for k in range(200)])
    few = profile_column("Region", ["North", "South", "East", "West"] * 50)
    assert many.distinct > CATALOGUE_MAX_VALUES
    assert attribute_kind(many) == "text (too many values to filter by)"
    assert attribute_kind(few) == "text (filter)"


def test_a_placeholder_on_a_fifth_of_the_answers_is_no_customer_id() -> None:
    """Google Play writes "A Google user" for reviewers who hide their name (349 of 1,323
    reviews of the shared export): as the customer id, those reviews would be one
    customer. A column whose one value is on a fifth of a survey's rows is not the id;
    one with repeat customers is."""
    names = [f"Reviewer {k}" for k in range(80)] + ["A Google user"] * 25
    placeholder = pd.DataFrame({"userName": names, "review": ["Slow app, crashes"] * 105})
    roles = {g.column: g.role for g in detect_roles(placeholder, "responses")}
    assert roles["userName"] != "customer_id"
    repeat = pd.DataFrame(
        {"customer_id": [f"C{k % 60}" for k in range(105)], "review": ["Slow"] * 105}
    )
    assert {g.column: g.role for g in detect_roles(repeat, "responses")}["customer_id"] == (
        "customer_id"
    )
