"""Browser tests of the journey map: a screenshot (first, while the demo map is clean),
two live sessions editing one journey, and script payloads shown as text. They share
this module's private server (``streamlit_server``: its own copy of the demo database)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PROJECT_ROOT, StreamlitServer, wait_for_streamlit

pytestmark = pytest.mark.browser
IMG_PAYLOAD = "<img src=x onerror=alert(1)>"
SCRIPT_PAYLOAD = "<script>alert(1)</script>"
TIMEOUT = 90_000


def _settle(page) -> None:  # type: ignore[no-untyped-def]
    wait_for_streamlit(page, TIMEOUT)


def _open(browser, server: StreamlitServer, name: str, height: int = 900):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": height})
    page = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:  # type: ignore[no-untyped-def]
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(f"{server.url}/journey-map?workspace=demo", timeout=TIMEOUT)
    page.wait_for_selector('[data-testid="stVegaLiteChart"] svg', timeout=TIMEOUT)
    _settle(page)
    field = page.locator(".st-key-author_name input")
    field.fill(name)
    field.press("Enter")
    _settle(page)
    return context, page, dialogs


def _open_form(page) -> None:  # type: ignore[no-untyped-def]
    if not page.locator(".st-key-tp_pick input").is_visible():
        page.get_by_text("Edit one touchpoint in a form").click()
        page.locator(".st-key-tp_pick input").wait_for(state="visible", timeout=TIMEOUT)


def _pick(page, option: str) -> None:  # type: ignore[no-untyped-def]
    _open_form(page)
    combo = page.locator(".st-key-tp_pick input")
    for _ in range(4):  # the live refresh may redraw the list while it is open: retry
        try:
            combo.click()
            combo.fill(option)
            page.get_by_role("option").filter(has_text=option).first.click(timeout=10_000)
            break
        except Exception:  # noqa: BLE001 - playwright timeout/detached element
            page.keyboard.press("Escape")
            _settle(page)
    _settle(page)
    page.wait_for_function(
        "t => document.querySelector('.st-key-tp_pick input').value.includes(t)", arg=option
    )


def _edit(page, field: str, value: str) -> None:  # type: ignore[no-untyped-def]
    box = page.locator(f".st-key-edit_tp_{field} input")
    box.fill(value)
    page.locator(".st-key-edit_tp_save button").click()
    _settle(page)


def _value(page, field: str) -> str:  # type: ignore[no-untyped-def]
    return page.locator(f".st-key-edit_tp_{field} input").input_value()


def test_screenshot_of_the_map(browser, streamlit_server: StreamlitServer) -> None:  # type: ignore[no-untyped-def]
    ctx, page, dialogs = _open(browser, streamlit_server, "Facilitator", height=720)
    try:
        page.wait_for_timeout(2000)
        target = PROJECT_ROOT / "screenshots" / "journey_map.png"
        target.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(target))
        assert target.stat().st_size > 20_000
        assert page.locator('[data-testid="stVegaLiteChart"] svg').count() >= 1
        assert dialogs == []
    finally:
        ctx.close()


def test_two_sessions_edit_the_same_journey(browser, streamlit_server: StreamlitServer) -> None:  # type: ignore[no-untyped-def]
    ctx_a, ana, _ = _open(browser, streamlit_server, "Ana")
    ctx_b, bo, _ = _open(browser, streamlit_server, "Bo")
    try:
        _pick(ana, "Website visit")
        _pick(bo, "Pricing page")
        _pick(bo, "Live chat")  # Bo's tables now show the journey as it is before Ana saves
        _edit(ana, "owner", "Owner by Ana")
        # Bo sees Ana's change live, without reloading.
        bo.get_by_text("Colleagues changed this journey").wait_for(timeout=TIMEOUT)
        assert "Ana" in bo.locator('[data-testid="stAlert"]').first.inner_text()
        # Bo's edit of a different touchpoint, based on the older journey, is kept too.
        _edit(bo, "owner", "Owner by Bo")
        assert not bo.get_by_text("was changed by someone else").count()

        # Both now edit the same touchpoint from the same version: the second is refused.
        _pick(ana, "Online checkout")
        _pick(bo, "Online checkout")
        _edit(ana, "owner", "Checkout by Ana")
        _edit(bo, "owner", "Checkout by Bo")
        warning = bo.locator('[data-testid="stAlert"]', has_text="changed by someone else")
        warning.wait_for(timeout=TIMEOUT)
        text = warning.inner_text()
        assert "Online checkout" in text and "by Ana" in text
        # The form now shows the change that was kept.
        expect(bo.locator(".st-key-edit_tp_owner input")).to_have_value(
            "Checkout by Ana", timeout=TIMEOUT
        )

        ctx_c, carol, _ = _open(browser, streamlit_server, "Carol")
        try:
            for option, owner in (
                ("Website visit", "Owner by Ana"),
                ("Live chat", "Owner by Bo"),
                ("Online checkout", "Checkout by Ana"),
            ):
                _pick(carol, option)
                expect(carol.locator(".st-key-edit_tp_owner input")).to_have_value(
                    owner, timeout=TIMEOUT
                )
        finally:
            ctx_c.close()
    finally:
        ctx_a.close()
        ctx_b.close()


def test_script_payloads_show_as_text(browser, streamlit_server: StreamlitServer) -> None:  # type: ignore[no-untyped-def]
    ctx, page, dialogs = _open(browser, streamlit_server, "Mallory")
    try:
        _pick(page, "Social media ad")
        _edit(page, "name", IMG_PAYLOAD)
        _pick(page, "Search result")
        _edit(page, "name", SCRIPT_PAYLOAD)
        page.reload()
        page.wait_for_selector('[data-testid="stVegaLiteChart"] svg', timeout=TIMEOUT)
        _settle(page)
        page.wait_for_timeout(1500)
        # The map: SVG text nodes hold the literal strings (wrapped over lines).
        svg_text = page.evaluate(
            "() => [...document.querySelectorAll('[data-testid=stVegaLiteChart] svg text')]"
            ".map(t => t.textContent).join(' ')"
        )
        # (long names are cut to two lines on a card, with an ellipsis)
        assert "<img src=x" in svg_text and "onerror=alert" in svg_text
        assert "<script>alert" in svg_text
        # Captions and select boxes show them as text.
        body = page.inner_text("body")
        assert SCRIPT_PAYLOAD in body
        _open_form(page)
        combo = page.locator(".st-key-tp_pick input")
        combo.click()
        combo.fill("")
        page.get_by_role("listbox").wait_for(timeout=TIMEOUT)
        listing = page.get_by_role("listbox").inner_text()
        assert IMG_PAYLOAD in listing and SCRIPT_PAYLOAD in listing
        page.keyboard.press("Escape")
        # The graph (an iframe component).
        page.get_by_role("tab", name="Graph").click()
        _settle(page)
        page.wait_for_selector("iframe", timeout=TIMEOUT)
        page.wait_for_timeout(3000)
        for frame in page.frames:
            assert frame.locator('img[src="x"]').count() == 0
            assert (
                frame.evaluate("() => document.querySelectorAll('script:not([src])').length") >= 0
            )
            html = frame.content()
            assert IMG_PAYLOAD not in html and SCRIPT_PAYLOAD not in html
        # The history table and the tables render without running anything.
        page.get_by_role("tab", name="History").click()
        _settle(page)
        assert page.locator('img[src="x"]').count() == 0
        assert dialogs == []
    finally:
        ctx.close()
