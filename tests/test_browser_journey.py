"""Browser tests of the journey map at 1280×720: edits on the map counted in clicks
(≤ 2 + typing each, no page jump, no cut card text), present mode with the emotion curve in
the viewport at 8 stages, two sessions writing lane cells at once, script payloads (lanes,
cards, persona) shown as text, and screenshots. They share this module's private server (its own copy of the demo database)."""

from __future__ import annotations

import pytest

from tests.conftest import PROJECT_ROOT, StreamlitServer, wait_for_streamlit

pytestmark = pytest.mark.browser
IMG_PAYLOAD = "<img src=x onerror=alert(1)>"
SCRIPT_PAYLOAD = "<script>alert(1)</script>"
TIMEOUT = 90_000
SHOTS = PROJECT_ROOT / "screenshots"
CARD = '[class*="st-key-card_"] button:visible'
CURVE = ".st-key-curve svg"  # the emotion curve, drawn by the board as SVG
# The stage heads on the board (not the stage table's toolbar, whose key also starts so).
STAGE_HEAD = '.st-key-jm_board [class*="st-key-stage_"] button:visible'
SCROLL_JS = (
    "() => Math.round((document.querySelector('[data-testid=stMain]')?.scrollTop || 0)"
    " + window.scrollY)"
)


def _settle(page) -> None:  # type: ignore[no-untyped-def]
    wait_for_streamlit(page, TIMEOUT)


def _open(
    browser,
    server: StreamlitServer,
    name: str,
    *,
    width: int = 1280,
    height: int = 720,
    query: str = "",
):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    alerts: list[str] = []

    def on_dialog(dialog) -> None:  # type: ignore[no-untyped-def]
        alerts.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(f"{server.url}/journey-map?workspace=demo{query}", timeout=TIMEOUT)
    page.locator(CARD).first.wait_for(timeout=TIMEOUT)
    _settle(page)
    if "present" not in query:
        field = page.locator(".st-key-author_name input:visible").first
        field.fill(name)
        field.press("Enter")
        _settle(page)
    return context, page, alerts


class Clicks:
    """Counts the clicks a facilitator makes (typing is not a click)."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.page, self.count = page, 0

    def click(self, locator) -> None:  # type: ignore[no-untyped-def]
        locator.click(timeout=TIMEOUT)
        self.count += 1
        _settle(self.page)


def _dialog(page):  # type: ignore[no-untyped-def]
    box = page.get_by_role("dialog")
    box.wait_for(timeout=TIMEOUT)
    return box


def _close_dialog(page) -> None:  # type: ignore[no-untyped-def]
    page.keyboard.press("Escape")
    page.get_by_role("dialog").wait_for(state="hidden", timeout=TIMEOUT)
    _settle(page)


def _no_cut_card_text(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Cards whose text is cut (an ellipsis, or text overflowing its box)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('[class*="st-key-card_"] button')]
            .filter(b => b.offsetParent !== null)
            .filter(b => { const p = b.querySelector('p') || b;
                const s = getComputedStyle(p);
                return b.innerText.includes('…') || s.textOverflow === 'ellipsis'
                    && p.scrollWidth > p.clientWidth + 1 || p.scrollHeight > p.clientHeight + 2; })
            .map(b => b.innerText)"""
    )


def _broken_words(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Words of the board wider than their box (so broken mid-word), where the font could
    still shrink (above 11 px): "Installatio|n" on a projector."""
    return page.evaluate(
        """() => { const ctx = document.createElement('canvas').getContext('2d');
            return [...document.querySelectorAll('.jm-grid button p, .jm-grid .jm-read')]
            .filter(p => p.offsetParent !== null).flatMap(p => {
                const s = getComputedStyle(p), size = parseFloat(s.fontSize);
                ctx.font = '700 ' + size + 'px ' + s.fontFamily;
                return p.textContent.split(/\\s+/).filter(w =>
                    size > 11 && ctx.measureText(w).width > p.clientWidth + 1); }); }"""
    )


def test_screenshots(browser, streamlit_server: StreamlitServer) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(exist_ok=True)
    for width, height in ((1280, 720), (1440, 900)):
        for present in (False, True):
            ctx, page, alerts = _open(
                browser,
                streamlit_server,
                "Viewer",
                width=width,
                height=height,
                query="&present=1" if present else "",
            )
            try:
                page.wait_for_selector(CURVE, timeout=TIMEOUT)
                page.wait_for_timeout(1500)
                assert _broken_words(page) == []  # no word broken in two (a font shrinks)
                target = SHOTS / f"journey_map_{width}x{height}{'_present' if present else ''}.png"
                page.screenshot(path=str(target))
                assert target.stat().st_size > 20_000
                assert alerts == []
            finally:
                ctx.close()


def test_edits_on_the_map_take_two_clicks_and_keep_the_page_still(
    browser, streamlit_server: StreamlitServer
) -> None:  # type: ignore[no-untyped-def]
    ctx, page, alerts = _open(browser, streamlit_server, "Facilitator")
    try:
        # 1. Add a stage: "+ Stage", type, "Add stage".
        clicks = Clicks(page)
        clicks.click(page.locator(".st-key-add_stage button:visible").first)
        _dialog(page).locator(".st-key-dlg_stage_name input:visible").first.fill("Advocacy")
        before = page.evaluate(SCROLL_JS)
        clicks.click(page.locator(".st-key-dlg_stage_save button:visible").first)
        page.locator(STAGE_HEAD, has_text="· Advocacy").first.wait_for(timeout=TIMEOUT)
        assert clicks.count <= 2
        assert page.evaluate(SCROLL_JS) == before

        # 2. Add a touchpoint from that column's "+": click, type, "Add touchpoint".
        clicks = Clicks(page)
        clicks.click(page.locator('[class*="st-key-addtp_"] button:visible').last)
        _dialog(page).locator(".st-key-dlg_new_name input:visible").first.fill(
            "Recommends to a friend"
        )
        before = page.evaluate(SCROLL_JS)
        clicks.click(page.locator(".st-key-dlg_new_add button:visible").first)
        card = page.locator(CARD, has_text="Recommends to a friend").first
        card.wait_for(timeout=TIMEOUT)
        assert clicks.count <= 2
        assert page.evaluate(SCROLL_JS) == before
        assert "◌" in card.inner_text()  # no emotion yet

        # 3. Set its emotion with a face: the card, then 😄 — and Esc straight after the
        # click (before the save's rerun is back): the dialog stays closed and the map
        # shows the saved face.
        clicks = Clicks(page)
        clicks.click(card)
        before = page.evaluate(SCROLL_JS)
        _dialog(page).locator(".st-key-face_4 button:visible").first.click(timeout=TIMEOUT)
        clicks.count += 1
        page.keyboard.press("Escape")
        page.wait_for_function(
            "() => [...document.querySelectorAll('[class*=\"st-key-card_\"] button')]"
            ".some(b => b.innerText.includes('Recommends') && b.innerText.includes('😄'))",
            timeout=TIMEOUT,
        )
        _settle(page)
        page.wait_for_timeout(1500)  # a late redraw would open the dialog again
        assert page.get_by_role("dialog").count() == 0
        assert clicks.count <= 2
        assert page.evaluate(SCROLL_JS) == before
        # 4. Toggle the pain point: the card and the toggle, two clicks; the open dialog
        # shows the saved toggle at once, the map when the dialog closes.
        clicks = Clicks(page)
        clicks.click(page.locator(CARD, has_text="Recommends to a friend").first)
        box = _dialog(page)
        box.locator(".st-key-face_4 button[kind='primary']:visible").first.wait_for(timeout=TIMEOUT)
        # The whole card, Delete included, is on a 1280x720 projector without scrolling.
        delete = box.locator(".st-key-dlg_delete button").bounding_box()
        whole = box.bounding_box()
        assert delete is not None and whole is not None
        assert delete["y"] + delete["height"] <= whole["y"] + whole["height"] <= 720
        clicks.click(box.locator(".st-key-dlg_pain_point label:visible").first)
        assert clicks.count <= 2
        _close_dialog(page)
        page.wait_for_function(
            "() => [...document.querySelectorAll('[class*=\"st-key-card_\"] button')]"
            ".some(b => b.innerText.includes('Recommends') && b.innerText.includes('⚠'))",
            timeout=TIMEOUT,
        )
        assert page.evaluate(SCROLL_JS) == before
        assert _no_cut_card_text(page) == []
        # The tables show the saved state and have no stray empty rows.
        assert alerts == []
    finally:
        ctx.close()


def _ensure_stages(browser, server: StreamlitServer, wanted: int) -> None:  # type: ignore[no-untyped-def]
    """Add stages on the map (through the stage dialog) until the journey has ``wanted``."""
    ctx, page, _ = _open(browser, server, "Facilitator")
    try:
        while page.locator(STAGE_HEAD).count() < wanted:
            number = page.locator(STAGE_HEAD).count() + 1
            page.locator(".st-key-add_stage button:visible").first.click()
            _dialog(page).locator(".st-key-dlg_stage_name input:visible").first.fill(
                f"Stage {number}"
            )
            page.locator(".st-key-dlg_stage_save button:visible").first.click()
            page.locator(STAGE_HEAD, has_text=f"{number} · ").first.wait_for(timeout=TIMEOUT)
            _settle(page)
    finally:
        ctx.close()


def test_present_mode_fits_the_projector(browser, streamlit_server: StreamlitServer) -> None:  # type: ignore[no-untyped-def]
    _ensure_stages(browser, streamlit_server, 8)  # the most a projector map is made for
    ctx, page, alerts = _open(browser, streamlit_server, "Projector", query="&present=1")
    try:
        chart = page.locator(f"{CURVE}:visible").first
        chart.wait_for(timeout=TIMEOUT)
        page.wait_for_timeout(1000)
        box = chart.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 720
        headers = page.locator(STAGE_HEAD)
        assert headers.count() >= 8
        last = headers.last.bounding_box()
        assert last is not None and last["x"] + last["width"] <= 1280
        assert box["width"] > 1000  # the map fills the width (no sidebar)
        assert page.locator('[data-testid="stSidebar"]').is_hidden()
        sizes = page.evaluate(
            "() => [...document.querySelectorAll('[class*=\"st-key-card_\"] button p')].filter(p => p.offsetParent)"
            ".map(p => parseFloat(getComputedStyle(p).fontSize))"
        )
        assert sizes and min(sizes) >= 14
        assert _no_cut_card_text(page) == []
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "journey_map_present_check.png"))
        # ← → focus a stage; Esc leaves present mode.
        page.keyboard.press("ArrowRight")
        _settle(page)
        page.wait_for_function(
            "() => { const c = document.querySelector('[class*=\"st-key-c0_head\"]');"
            " return c && getComputedStyle(c).outlineStyle === 'solid'; }",
            timeout=TIMEOUT,
        )
        page.keyboard.press("Escape")
        page.locator(".st-key-present_on button:visible").first.wait_for(timeout=TIMEOUT)
        assert "present" not in page.url
        assert alerts == []
    finally:
        ctx.close()


def _write_cell(page, stage_index: int, lane: str, text: str) -> None:  # type: ignore[no-untyped-def]
    page.locator(f'[class*="st-key-c{stage_index}_{lane}"] button:visible').first.click()
    box = _dialog(page)
    box.locator(".st-key-dlg_cell_text textarea:visible").first.fill(text)


def _save_cell(page) -> None:  # type: ignore[no-untyped-def]
    """Save the open lane-cell dialog and wait until it has closed."""
    page.locator(".st-key-dlg_cell_save button:visible").first.click()
    page.get_by_role("dialog").wait_for(state="hidden", timeout=TIMEOUT)
    _settle(page)


def _cell(page, text: str):  # type: ignore[no-untyped-def]
    return page.locator('[class*="st-key-cellbtn_"] button:visible', has_text=text).first


def test_two_sessions_write_lanes_at_once(
    browser, streamlit_server: StreamlitServer, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    ctx_a, ana, _ = _open(browser, streamlit_server, "Ana")
    ctx_b, bo, _ = _open(browser, streamlit_server, "Bo")
    try:
        # Both open a cell of the Thoughts lane before either saves.
        _write_cell(ana, 1, "thoughts", "Is the router extra?")
        _write_cell(bo, 2, "thoughts", "That was quick")
        _save_cell(ana)
        _save_cell(bo)
        # Each sees the other's text (live), and a third session sees both.
        for page, text in ((ana, "That was quick"), (bo, "Is the router extra?")):
            _cell(page, text).wait_for(timeout=TIMEOUT)
        # The same cell from two dialogs opened before either saved: Bo opens it and types,
        # Ana saves hers; Bo's poll sees her change while his dialog is open (and leaves
        # the dialog, with his typing, alone); his Save is refused, Ana's text kept.
        bo.locator('[class*="st-key-c3_backstage"] button:visible').first.click()
        box = _dialog(bo)
        box.locator(".st-key-dlg_cell_text textarea:visible").first.fill("Bo's backstage")
        _write_cell(ana, 3, "backstage", "Ana's backstage")
        _save_cell(ana)
        bo.wait_for_timeout(3 * 2500)  # a few live polls while Bo's dialog is open
        _settle(bo)
        typed = box.locator(".st-key-dlg_cell_text textarea:visible").first
        assert typed.input_value() == "Bo's backstage"
        bo.locator(".st-key-dlg_cell_save button:visible").first.click()
        warning = bo.get_by_role("dialog").locator(
            '[data-testid="stAlert"]', has_text="changed by someone else"
        )
        warning.wait_for(timeout=TIMEOUT)
        assert "Ana" in warning.inner_text()
        # Closing the dialog shows Ana's text on Bo's map.
        _close_dialog(bo)
        _cell(bo, "Ana's backstage").wait_for(timeout=TIMEOUT)
        ctx_c, carol, _ = _open(browser, streamlit_server, "Carol")
        try:
            for text in ("Is the router extra?", "That was quick", "Ana's backstage"):
                _cell(carol, text).wait_for(timeout=TIMEOUT)
            assert (
                carol.locator(
                    '[class*="st-key-cellbtn_"] button:visible', has_text="Bo's backstage"
                ).count()
                == 0
            )
        finally:
            ctx_c.close()
    finally:
        ctx_a.close()
        ctx_b.close()


def test_script_payloads_show_as_text(browser, streamlit_server: StreamlitServer) -> None:  # type: ignore[no-untyped-def]
    ctx, page, alerts = _open(browser, streamlit_server, "Mallory")
    try:
        _write_cell(page, 0, "goals", IMG_PAYLOAD)
        page.locator(".st-key-dlg_cell_save button:visible").first.click()
        _settle(page)
        page.locator(CARD, has_text="Search result").first.click()
        _dialog(page).locator(".st-key-dlg_name input:visible").first.fill(SCRIPT_PAYLOAD)
        page.locator(".st-key-dlg_save button:visible").first.click()
        _settle(page)
        # The persona card: name, quote and goals from the persona dialog.
        page.locator(".st-key-persona button:visible").first.click()
        box = _dialog(page)
        box.locator(".st-key-dlg_j_persona input:visible").first.fill(IMG_PAYLOAD)
        box.locator(".st-key-dlg_j_quote input:visible").first.fill(SCRIPT_PAYLOAD)
        box.locator(".st-key-dlg_j_goals textarea:visible").first.fill(f"Goal {IMG_PAYLOAD}")
        page.locator(".st-key-dlg_j_save button:visible").first.click()
        page.get_by_role("dialog").wait_for(state="hidden", timeout=TIMEOUT)
        _settle(page)
        card = page.locator('[data-testid="jm-persona"]').first
        card.wait_for(timeout=TIMEOUT)
        assert IMG_PAYLOAD in card.inner_text() and SCRIPT_PAYLOAD in card.inner_text()
        page.reload()
        page.locator(CARD).first.wait_for(timeout=TIMEOUT)
        _settle(page)
        page.wait_for_timeout(1500)
        body = page.inner_text("body")
        assert IMG_PAYLOAD in body and SCRIPT_PAYLOAD in body
        assert page.locator('img[src="x"]').count() == 0
        # The curve's tooltips (SVG <title>) hold the name as text, not markup.
        assert page.locator(".st-key-jm_board script").count() == 0
        tips = page.locator(f"{CURVE} title").all_text_contents()
        assert any(SCRIPT_PAYLOAD in tip for tip in tips)
        # The graph (an iframe component with HTML node titles).
        page.get_by_role("tab", name="Graph").click()
        _settle(page)
        page.wait_for_selector("iframe", timeout=TIMEOUT)
        page.wait_for_timeout(3000)
        for frame in page.frames:
            assert frame.locator('img[src="x"]').count() == 0
            html = frame.content()
            assert IMG_PAYLOAD not in html and SCRIPT_PAYLOAD not in html
        assert alerts == []
    finally:
        ctx.close()
