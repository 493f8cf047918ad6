"""A real Chromium uploads a real file on the import page and sees the loaded-row count."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import SHARED_DATASETS, wait_for_streamlit

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.mark.browser
def test_upload_in_a_real_browser(streamlit_server, browser) -> None:  # type: ignore[no-untyped-def]
    real = SHARED_DATASETS / "nps_verbatims" / "nps_verbatims.csv"
    path, expected = (real, "2,385") if real.exists() else (FIXTURES / "survey_small.csv", "4")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{streamlit_server.url}/?workspace=demo", wait_until="networkidle")
        wait_for_streamlit(page)
        page.get_by_role("link", name="Import data").click()
        page.get_by_text("Choose a file").wait_for(timeout=60_000)
        wait_for_streamlit(page)
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
        page.get_by_text("Detected role of every column").wait_for(timeout=60_000)
        wait_for_streamlit(page)
        page.get_by_role("button", name="Import", exact=True).click()
        loaded = page.locator('[data-testid="stMetric"]').filter(has_text="Rows loaded")
        loaded.wait_for(timeout=120_000)
        value = loaded.locator('[data-testid="stMetricValue"]').inner_text()
        assert re.sub(r"\s", "", value) == expected
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.close()


@pytest.mark.browser
def test_upload_with_a_health_warning_and_remedy(streamlit_server, browser, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The page shows the placeholder-date warning, the remedy is one click, and the rows
    load; a screenshot at 1280x720 is kept (TOUCHPOINT_SCREENSHOTS, else tmp_path)."""
    import os

    shots = Path(os.environ.get("TOUCHPOINT_SCREENSHOTS", tmp_path))
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.goto(f"{streamlit_server.url}/?workspace=demo", wait_until="networkidle")
        wait_for_streamlit(page)
        page.get_by_role("link", name="Import data").click()
        page.get_by_text("Choose a file").wait_for(timeout=60_000)
        wait_for_streamlit(page)
        uploader = page.locator('[data-testid="stFileUploader"] input[type="file"]')
        uploader.set_input_files(str(FIXTURES / "exports" / "epoch_dates.csv"))
        warning = page.locator('[data-testid="stAlert"]').filter(has_text="placeholder")
        warning.wait_for(timeout=60_000)
        wait_for_streamlit(page)
        assert "1970-01-01" in warning.inner_text()
        assert page.get_by_text("Detected responses").count() >= 1
        # The warning and the explained mapping (confidence, reasons) in one view.
        page.get_by_text("Data health").first.evaluate("e => e.scrollIntoView()")
        page.wait_for_timeout(500)
        page.screenshot(path=str(shots / "import-health-mapping-1280.png"))
        page.get_by_text("Treat placeholder dates as missing").click()
        wait_for_streamlit(page)
        page.get_by_role("button", name="Import", exact=True).click()
        loaded = page.locator('[data-testid="stMetric"]').filter(has_text="Rows loaded")
        loaded.wait_for(timeout=120_000)
        value = loaded.locator('[data-testid="stMetricValue"]').inner_text()
        assert re.sub(r"\s", "", value) == "30"
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.close()
