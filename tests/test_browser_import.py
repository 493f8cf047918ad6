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
        page.get_by_text("What is in the file?").wait_for(timeout=60_000)
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
