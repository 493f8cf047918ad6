"""AppTests of the Overview, KPI explorer and Key drivers pages on the demo workspace:
the numbers shown are cem.analytics numbers, and the filters in the URL are applied."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cem.analytics.drivers import key_drivers
from cem.analytics.engine import duckdb_engine
from cem.analytics.filters import Filters
from cem.analytics.kpi_frames import kpi_frame
from cem.analytics.overview import kpi_snapshot
from cem.format import format_signed
from cem.store.db import Database
from tests.conftest import OpenPage


def expected(db_path: Path, func, *args, **kwargs):  # type: ignore[no-untyped-def]
    db = Database(db_path)
    try:
        return func(duckdb_engine(db), "demo", *args, **kwargs)
    finally:
        db.close()


def metric_value(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_overview_shows_the_metrics_values(app_env: Path, open_page: OpenPage) -> None:
    at = open_page()
    assert not at.exception, [e.value for e in at.exception]
    snap = expected(app_env, kpi_snapshot, "nps")
    assert metric_value(at, "NPS") == format_signed(snap["value"])
    assert f"n={snap['n']:,}" in " ".join(c.value for c in at.caption)
    csat = expected(app_env, kpi_snapshot, "csat")
    assert metric_value(at, "CSAT") == f"{csat['value']:.0f}%"
    assert metric_value(at, "Responses") == f"{expected(app_env, kpi_snapshot, 'responses')['n']:,}"


def test_query_params_filter_the_overview(app_env: Path, open_page: OpenPage) -> None:
    at = open_page(segment="Enterprise")
    assert not at.exception, [e.value for e in at.exception]
    filtered = expected(app_env, kpi_snapshot, "nps", Filters.make(segment=["Enterprise"]))
    everyone = expected(app_env, kpi_snapshot, "nps")
    assert round(filtered["value"]) != round(everyone["value"])
    assert metric_value(at, "NPS") == format_signed(filtered["value"])
    assert at.multiselect(key="flt:segment").value == ["Enterprise"]


def test_sidebar_change_is_written_to_the_url_and_cleared(
    app_env: Path, open_page: OpenPage
) -> None:
    at = open_page()
    at.multiselect(key="flt:persona").set_value(["Remote Worker"]).run()
    assert not at.exception
    assert Filters.from_query_params(at.query_params).values("persona") == ("Remote Worker",)
    filtered = expected(app_env, kpi_snapshot, "nps", Filters.make(persona=["Remote Worker"]))
    assert metric_value(at, "NPS") == format_signed(filtered["value"])
    at.button(key="flt:clear").click().run()
    assert "persona" not in at.query_params
    assert at.multiselect(key="flt:persona").value == []
    assert metric_value(at, "NPS") == format_signed(expected(app_env, kpi_snapshot, "nps")["value"])


def test_date_range_from_the_url(app_env: Path, open_page: OpenPage) -> None:
    at = open_page(**{"from": "2026-01-01", "to": "2026-03-31"})
    assert not at.exception
    start, end = at.date_input(key="flt:dates").value
    assert (str(start), str(end)) == ("2026-01-01", "2026-03-31")
    filters = Filters.from_query_params({"from": "2026-01-01", "to": "2026-03-31"})
    snap = expected(app_env, kpi_snapshot, "nps", filters)
    assert metric_value(at, "NPS") == format_signed(snap["value"])


def test_filtered_link_renders_overview(app_env: Path, open_page: OpenPage) -> None:
    at = open_page(segment="Family")
    assert not at.exception
    snap = expected(app_env, kpi_snapshot, "nps", Filters.make(segment=["Family"]))
    assert metric_value(at, "NPS") == format_signed(snap["value"])


@pytest.mark.parametrize("split", ["segment", "attr:Plan"])
def test_explorer_table_has_the_metrics_numbers(
    app_env: Path, open_page: OpenPage, split: str
) -> None:
    at = open_page("pages/explorer.py", by=split, period="quarter", channel=["web", "app"])
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    frame = expected(
        app_env,
        kpi_frame,
        "nps",
        by=[split],
        period="quarter",
        filters=Filters.make(channel=["web", "app"]),
    )
    assert table["n"].tolist() == frame.n.tolist()
    assert table["NPS"].tolist() == pytest.approx(frame.value.tolist())
    assert {b.label for b in at.get("download_button")} >= {"⬇ Table (CSV)", "⬇ Chart (PNG)"}


def test_explorer_rating_attribute(app_env: Path, open_page: OpenPage) -> None:
    at = open_page("pages/explorer.py", metric="attr:Speed rating")
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    frame = expected(app_env, kpi_frame, "attr:Speed rating", period="month")
    assert table["Speed rating"].tolist() == pytest.approx(frame.value.tolist())


def test_sidebar_survives_a_rerun_on_every_insight_page(open_page: OpenPage) -> None:
    # A page whose url_path equals its file name is rerun without app.py (Streamlit 1.67
    # resolves the rerun's page hash to the old-style pages/ file): no sidebar, no filters.
    for page in ("pages/overview.py", "pages/explorer.py", "pages/drivers.py"):
        at = open_page(page)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.multiselect(key="flt:segment").value == [], page


def test_drivers_ranking(app_env: Path, open_page: OpenPage) -> None:
    at = open_page("pages/drivers.py")
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    ranking = expected(app_env, key_drivers, "nps", None, Filters())
    assert table["Driver"].tolist() == ranking.driver.tolist()
    assert table["Importance (% of R²)"].tolist() == pytest.approx(ranking.importance.tolist())
    assert set(table["Quadrant"]) <= {"Fix first", "Maintain", "Nice to have", "Low priority"}


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/explorer.py", "pages/drivers.py"])
def test_empty_workspace_explains_what_to_do(
    open_page: OpenPage, add_workspace: Callable[[str], None], page: str
) -> None:
    add_workspace("Empty <b>co</b>")
    at = open_page(page, workspace="Empty <b>co</b>")
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert any("Import" in i.value for i in at.info), [i.value for i in at.info]


def _sidebar_filters(at: AppTest) -> list[str]:
    return [str(m.key) for m in at.sidebar.multiselect]


def test_more_filters_are_drawn_while_open_or_in_use(app_env: Path, open_page: OpenPage) -> None:
    """ "More filters" holds the imported attributes: drawn when the box is opened (every
    page view does not pay for them), and kept drawn while one holds a value."""
    at = open_page()
    main = ["flt:segment", "flt:persona", "flt:channel", "flt:touchpoint"]
    assert _sidebar_filters(at) == main
    at.session_state["flt:more"] = True  # the user opens the box
    at.run()
    assert "flt:attr:Plan" in _sidebar_filters(at)
    at.multiselect(key="flt:attr:Plan").set_value(["Fibre 500"]).run()
    plan = Filters.make(**{"attr:Plan": ["Fibre 500"]})
    assert Filters.from_query_params(at.query_params).values("attr:Plan") == ("Fibre 500",)
    snap = expected(app_env, kpi_snapshot, "nps", plan)
    assert metric_value(at, "NPS") == format_signed(snap["value"])
    at.session_state["flt:more"] = False  # closed again: the choice stays
    at.run()
    assert at.multiselect(key="flt:attr:Plan").value == ["Fibre 500"]
    assert metric_value(at, "NPS") == format_signed(snap["value"])
    linked = open_page(**{"attr:Plan": "Fibre 500"})  # a link with an attribute filter
    assert linked.multiselect(key="flt:attr:Plan").value == ["Fibre 500"]
    assert [e.label for e in linked.sidebar.expander] == ["More filters (1 active)"]


def test_share_box_is_drawn_when_opened(open_page: OpenPage) -> None:
    at = open_page()
    assert "share:create" not in [b.key for b in at.sidebar.button]
    at.session_state["flt:share"] = True
    at.run()
    assert not at.exception
    assert "share:create" in [b.key for b in at.sidebar.button]
    assert at.sidebar.selectbox(key="share:expiry").value is not None


EVENT_LOG = (
    b"Customer ID,Timestamp,Touchpoint,Channel\n"
    b"E1,2025-02-03 10:00,Website visit,web\n"
    b"E1,2025-02-10 09:00,Online checkout,web\n"
    b"E2,2025-03-01 12:00,Website visit,app\n"
    b"E3,2025-04-20 08:30,Phone support,phone\n"
)


def test_an_event_log_without_answers_has_a_date_filter(app_env: Path) -> None:
    """The shared date filter also filters events: a workspace holding only an event log
    offers its dates (3 Feb - 20 Apr 2025) rather than "No dates in this data"."""
    from cem.access.principal import CLI_ADMIN
    from cem.analytics.catalogue import filter_date_bounds
    from cem.ingest.load import import_file

    db = Database(app_env)
    try:
        import_file(db, "Visits", EVENT_LOG, "events", actor=CLI_ADMIN, file_name="log.csv")
        engine = duckdb_engine(db)
        first, last = filter_date_bounds(engine, "Visits")
        assert (str(first), str(last)) == ("2025-02-03", "2025-04-20")
        # The demo has both: the range spans its responses' and its events' dates.
        responses = db.execute(
            "SELECT min(submitted_at)::DATE, max(submitted_at)::DATE FROM responses "
            "WHERE workspace = 'demo'"
        ).fetchone()
        events = db.execute(
            "SELECT min(occurred_at)::DATE, max(occurred_at)::DATE FROM events "
            "WHERE workspace = 'demo'"
        ).fetchone()
        assert responses is not None and events is not None
        assert filter_date_bounds(engine, "demo") == (
            min(responses[0], events[0]),
            max(responses[1], events[1]),
        )
    finally:
        db.close()
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=120)
    at.query_params["workspace"] = "Visits"
    at.query_params["from"] = "2025-02-05"
    at.query_params["to"] = "2025-03-31"
    at.run()
    at.switch_page("pages/journey_analytics.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    start, end = at.date_input(key="flt:dates").value
    assert (str(start), str(end)) == ("2025-02-05", "2025-03-31")
    assert not any("No dates" in c.value for c in at.sidebar.caption)
    # Two of the four events fall in those dates (E1's checkout, E2's visit).
    assert metric_value(at, "Events") == "2"


@pytest.mark.parametrize("view", ["Funnels", "Timing & channels"])
def test_stage_views_of_an_event_log_without_stages(app_env: Path, view: str) -> None:
    """A log without a stage column has no stage funnel and no time between stages: the
    views say so and still show what they can (the custom funnel; channel switching:
    E1 web → web is 1 move, none changes channel) instead of failing."""
    from cem.access.principal import CLI_ADMIN
    from cem.ingest.load import import_file
    from cem.ui.events.panels import NO_STAGES

    db = Database(app_env)
    try:
        import_file(db, "Visits", EVENT_LOG, "events", actor=CLI_ADMIN, file_name="log.csv")
    finally:
        db.close()
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=120)
    at.query_params["workspace"] = "Visits"
    at.query_params["view"] = view
    at.run()
    at.switch_page("pages/journey_analytics.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    infos = [i.value for i in at.info]
    if view == "Funnels":
        assert NO_STAGES in infos
        assert at.multiselect(key="ja:custom_steps").value  # the touchpoint funnel is offered
    else:
        assert any("no journey stage" in i for i in infos)
        assert any(
            "Of 1 step from one event to the next (every event counts, repeats too), 0% change"
            in c.value
            for c in at.caption
        )


CUSTOMER_LIST = (
    b"customerID,Churn,MonthlyCharges\nC1,Yes,20.5\nC2,No,30\nC3,No,10\nC4,Yes,\nC5,No,5.5\n"
)
STAR_REVIEWS = b"review,stars\nGreat app,5\nCrashes,1\nOk,3\nSlow,2\nLove it,4\n"


def test_overview_of_a_workspace_without_survey_answers(app_env: Path, open_page: OpenPage) -> None:
    """An event log and a customer list show what they hold (never an empty page, never a
    command line to type); star reviews without an NPS question show no "Open detractors"."""
    from cem.access.principal import CLI_ADMIN
    from cem.ingest.load import import_file
    from cem.ui.analytics.overview import NO_SURVEY

    db = Database(app_env)
    try:
        import_file(db, "Ops", EVENT_LOG, "events", actor=CLI_ADMIN, file_name="log.csv")
        import_file(db, "Ops", CUSTOMER_LIST, "customers", actor=CLI_ADMIN, file_name="c.csv")
        import_file(db, "Stars", STAR_REVIEWS, "responses", actor=CLI_ADMIN, file_name="r.csv")
    finally:
        db.close()
    at = open_page("pages/overview.py", workspace="Ops")
    assert not at.exception, [e.value for e in at.exception]
    assert [i.value for i in at.info] == [NO_SURVEY]
    assert not any("python -m" in m.value for m in [*at.info, *at.markdown, *at.caption])
    assert metric_value(at, "Events") == "4"  # EVENT_LOG: 4 rows
    assert metric_value(at, "Touchpoints") == "3"
    assert metric_value(at, "Churned") == "40.0%"  # 2 of 5 customers
    assert metric_value(at, "Revenue") == "66"  # 20.5 + 30 + 10 + 5.5
    at = open_page("pages/overview.py", workspace="Stars")
    assert not at.exception, [e.value for e in at.exception]
    labels = [m.label for m in at.metric]
    assert "Responses" in labels and "Open detractors" not in labels
    assert "Revenue at risk" not in labels


def test_picking_every_value_of_a_filter_is_no_filter(open_page: OpenPage) -> None:
    """ "Select all" in a filter goes back to "All": no URL listing every value."""
    at = open_page("pages/overview.py", workspace="demo")
    box = at.multiselect(key="flt:segment")
    everything = list(box.options)
    assert len(everything) > 1
    box.set_value(everything).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect(key="flt:segment").value == []
    assert "segment" not in at.query_params
    at.multiselect(key="flt:segment").set_value(everything[:1]).run()
    assert at.multiselect(key="flt:segment").value == everything[:1]
    assert at.query_params["segment"] in (everything[0], everything[:1])  # str or list


def test_a_link_to_a_workspace_that_does_not_exist_says_so(app_env: object) -> None:
    """A link to a renamed or deleted workspace opens the demo with a notice, never its
    numbers silently as if they were the linked workspace's."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import APP_FILE

    at = AppTest.from_file(APP_FILE, default_timeout=120)
    at.query_params["workspace"] = "nosuchws"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    notices = [w.value for w in at.warning if "nosuchws" in w.value]
    assert notices and "this is “demo”" in notices[0]
