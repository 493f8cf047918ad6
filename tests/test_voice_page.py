"""The Voice of the customer page: AppTest (values shown are cem.voc's) and a browser test
that searches comments holding HTML/script/markdown payloads and sees them as text, plus
screenshots at 1280×720 and 1440×900."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cem.analytics.engine import duckdb_engine
from cem.store.db import Database
from cem.voc.analytics import theme_impact
from cem.voc.jobs import analyse_workspace
from cem.voc.themes import list_themes
from cem.voc.verbatims import VerbatimQuery, verbatims_page
from tests.conftest import PROJECT_ROOT, OpenPage, StreamlitServer, wait_for_streamlit

PAYLOADS = (
    "<script>alert(1)</script> zqxpayload one",
    "<img src=x onerror=alert(2)> zqxpayload two",
    "**zqxpayload** [click](javascript:alert(3)) # heading",
)
TIMEOUT = 90_000


def _voice(open_page: OpenPage, **query: str) -> AppTest:
    at = open_page("pages/verbatims.py", **query)
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_page_shows_themes_and_comments_of_cem(app_env: Path, open_page: OpenPage) -> None:
    db = Database(app_env)
    try:
        engine = duckdb_engine(db)
        impact = theme_impact(engine, "demo")
        page = verbatims_page(engine, "demo", None, VerbatimQuery(page_size=20))
        table = list_themes(db, "demo")
    finally:
        db.close()
    at = _voice(open_page)
    assert not at.error, [e.value for e in at.error]
    shown = at.dataframe[0].value
    assert list(shown.theme) == list(impact.theme)
    assert list(shown.n) == list(impact.n)
    captions = " ".join(c.value for c in at.caption)
    assert f"{page.total:,} comments" in captions
    markdown = " ".join(m.value for m in at.markdown)
    assert page.rows.sentiment_label.iloc[0] in markdown
    assert f"{page.rows.sentiment.iloc[0]:+.2f}" in markdown
    assert set(at.selectbox(key="voc_theme").options) >= set(table.label)


def test_search_and_theme_in_the_url(app_env: Path, open_page: OpenPage) -> None:
    db = Database(app_env)
    try:
        expected = verbatims_page(
            duckdb_engine(db), "demo", None, VerbatimQuery(search='"on hold"', sort="relevance")
        )
    finally:
        db.close()
    at = _voice(open_page, q='"on hold"', sort="relevance")
    assert f"{expected.total:,} comments" in " ".join(c.value for c in at.caption)
    assert "<mark>" in " ".join(m.value for m in at.markdown)
    at.text_input(key="voc_search").set_value("refund -router").run()
    assert not at.exception
    assert at.query_params["q"] == ["refund -router"] or at.query_params["q"] == "refund -router"


def test_unsupported_language_is_named_on_the_card(app_env: Path, open_page: OpenPage) -> None:
    db = Database(app_env)
    try:
        top = int(db.execute("SELECT max(response_id) FROM responses").fetchall()[0][0])
        db.execute(
            "INSERT INTO responses_base(response_id, workspace, import_id, comment) VALUES "
            "(?, 'demo', 0, 'zqxit Spedizione arrivata tardissimo, nessuno risponde mai, "
            "pessimo servizio clienti')",
            [top + 1],
        )
        analyse_workspace(db, "demo")
        row = db.execute(
            "SELECT language, sentiment FROM voc_sentiment WHERE workspace = 'demo' "
            "AND response_id = ?",
            [top + 1],
        ).fetchall()[0]
    finally:
        db.close()
    assert row == ("it", None)
    at = _voice(open_page, q="zqxit")
    assert "no sentiment for Italian" in " ".join(m.value for m in at.markdown)


def test_themes_of_comments_without_nps_show_no_nps_columns(
    app_env: Path, open_page: OpenPage
) -> None:
    """Reviews or open questions without an NPS question: the themes table keeps its counts
    and shares, and shows no NPS with/without, detractor/promoter columns or NPS chart (they
    would be "None" cells and an empty axis)."""
    db = Database(app_env)
    try:
        db.execute("UPDATE responses_base SET nps = NULL WHERE workspace = 'demo'")
        impact = theme_impact(duckdb_engine(db), "demo")
    finally:
        db.close()
    assert not impact.empty and impact.nps_with.isna().all()
    at = _voice(open_page)
    assert not at.error, [e.value for e in at.error]
    shown = at.dataframe[0].value
    assert list(shown.columns) == ["theme", "n", "share"]
    assert list(shown.n) == list(impact.n)
    assert any("no NPS answer" in c.value for c in at.caption)
    assert not at.get("vega_lite_chart")  # the demo with its NPS draws one (impact chart)


@pytest.fixture(scope="module")
def payload_server(
    demo_db_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StreamlitServer]:
    folder = tmp_path_factory.mktemp("voice")
    path = folder / "voice.duckdb"
    shutil.copyfile(demo_db_file, path)
    db = Database(path)
    top = int(db.execute("SELECT max(response_id) FROM responses").fetchall()[0][0])
    for k, text in enumerate(PAYLOADS):
        db.execute(
            "INSERT INTO responses_base(response_id, workspace, import_id, comment, nps, touchpoint)"
            " VALUES (?, 'demo', 0, ?, 3, '<b>tp</b>')",
            [top + k + 1, text],
        )
    analyse_workspace(db, "demo")
    engine = duckdb_engine(db)
    first = theme_impact(engine, "demo").iloc[0]
    first_theme = (
        int(first.theme_id),
        str(first.theme),
        verbatims_page(engine, "demo", None, VerbatimQuery(theme_id=int(first.theme_id))).total,
    )
    db.close()
    server = StreamlitServer(path, folder / "streamlit.log")
    server.first_theme = first_theme  # type: ignore[attr-defined]
    yield server
    server.stop()


@pytest.mark.browser
def test_payloads_are_shown_as_text(browser, payload_server: StreamlitServer) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{payload_server.url}/voice?workspace=demo&q=zqxpayload", timeout=TIMEOUT)
    page.wait_for_selector("mark", timeout=TIMEOUT)
    wait_for_streamlit(page, TIMEOUT)
    body = page.inner_text('[data-testid="stMain"]')
    assert "<script>alert(1)</script>" in body
    assert "<img src=x onerror=alert(2)>" in body
    assert "**" in body and "[click](javascript:alert(3))" in body
    assert page.locator('[data-testid="stMain"] img[src="x"]').count() == 0
    assert page.locator('[data-testid="stMain"] a[href^="javascript"]').count() == 0
    assert page.locator("mark").count() >= 3
    assert not dialogs
    context.close()


@pytest.mark.browser
def test_one_click_on_a_theme_opens_its_comments(  # type: ignore[no-untyped-def]
    browser, payload_server: StreamlitServer
) -> None:
    theme_id, label, total = payload_server.first_theme  # type: ignore[attr-defined]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{payload_server.url}/voice?workspace=demo", timeout=TIMEOUT)
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for(timeout=TIMEOUT)
    wait_for_streamlit(page, TIMEOUT)
    box = grid.bounding_box()
    assert box is not None
    # One click on the first theme's row (its selection cell, below the 35 px header).
    page.mouse.click(box["x"] + 12, box["y"] + 35 + 17)
    page.wait_for_url(f"**theme={theme_id}**", timeout=TIMEOUT)
    page.get_by_text("share of comments per month").wait_for(timeout=TIMEOUT)
    wait_for_streamlit(page, TIMEOUT)
    main = page.inner_text('[data-testid="stMain"]')
    assert f"{label} — share of comments per month" in main
    assert f"{total:,} comment" in main
    # The Comments tab's theme picker follows the click.
    picker = page.locator('[data-testid="stSelectbox"]').filter(has_text="Theme").first
    assert picker.locator("input").input_value() == label
    page.screenshot(path=f"/tmp/voice_theme_click_{box['width']:.0f}.png")
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1440, 900)])
def test_screenshots(browser, payload_server: StreamlitServer, width: int, height: int) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{payload_server.url}/voice?workspace=demo", timeout=TIMEOUT)
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=TIMEOUT)
    wait_for_streamlit(page, TIMEOUT)
    target = PROJECT_ROOT / "screenshots" / f"voice_{width}x{height}.png"
    target.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(target))
    page.goto(f"{payload_server.url}/?workspace=demo", timeout=TIMEOUT)
    page.wait_for_selector("text=What customers talk about", timeout=TIMEOUT)
    wait_for_streamlit(page, TIMEOUT)
    page.get_by_text("What customers talk about").scroll_into_view_if_needed()
    page.screenshot(path=str(PROJECT_ROOT / "screenshots" / f"overview_voc_{width}x{height}.png"))
    context.close()
