"""AppTest: a share-link session is read-only and scoped to its link for its whole life."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cem.access.links import create_link, revoke_link
from cem.access.principal import CLI_ADMIN
from cem.analytics.filters import Filters
from cem.analytics.overview import kpi_snapshot
from cem.format import format_signed
from cem.store.db import Database
from cem.store.workspaces import create_workspace
from tests.conftest import OpenPage
from tests.test_pages_insights import expected, metric_value


def _link(db_path: Path, pages: list[str], filters: Filters) -> tuple[str, str]:
    db = Database(db_path)
    try:
        create_workspace(db, "other", actor=CLI_ADMIN)
        link = create_link(db, CLI_ADMIN, "demo", pages, filters, expires_days=7)
    finally:
        db.close()
    return link.id, link.token or ""


def _sidebar_text(at: AppTest) -> str:
    return " ".join(str(x.value) for x in [*at.sidebar.markdown, *at.sidebar.caption])


def test_share_session_is_scoped_read_only_and_filtered(app_env: Path, open_page: OpenPage) -> None:
    fixed = Filters.make(segment=["Family"])
    _, token = _link(app_env, ["home", "voice"], fixed)
    at = open_page(share=token, workspace="other", segment=["Family", "Business"], mode="edit")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "demo" in _sidebar_text(at) and "read-only" in _sidebar_text(at)
    assert not [w for w in at.sidebar.selectbox if w.key == "workspace_switcher"]
    assert at.query_params["share"] == token and at.query_params["workspace"] == "demo"
    assert at.multiselect(key="flt:segment").value == ["Family"]
    assert at.multiselect(key="flt:segment").disabled
    snap = expected(app_env, kpi_snapshot, "nps", fixed)
    assert metric_value(at, "NPS") == format_signed(snap["value"])
    # Only the allowed pages exist in the navigation of this session.
    for page in ("pages/journey_map.py", "pages/import_data.py", "pages/workspaces.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)
    at.switch_page("pages/verbatims.py")
    at.run()
    assert not at.exception and at.query_params["share"] == token
    assert at.multiselect(key="flt:segment").value == ["Family"]
    # The token dropped from the URL: the session stays the link's session.
    at.switch_page("pages/overview.py")
    at.query_params.clear()
    at.query_params["workspace"] = "other"
    at.query_params["segment"] = "Business"
    at.run()
    assert at.query_params["share"] == token and at.query_params["workspace"] == "demo"
    assert metric_value(at, "NPS") == format_signed(snap["value"])


def test_unfixed_dimensions_may_narrow(app_env: Path, open_page: OpenPage) -> None:
    fixed = Filters.make(segment=["Family"])
    _, token = _link(app_env, ["home"], fixed)
    at = open_page(share=token, channel="web")
    assert not at.exception
    narrowed = Filters.make(segment=["Family"], channel=["web"])
    snap = expected(app_env, kpi_snapshot, "nps", narrowed)
    assert metric_value(at, "NPS") == format_signed(snap["value"])


@pytest.mark.parametrize("how", ["tampered", "revoked", "garbage"])
def test_a_bad_token_shows_one_sentence_and_nothing_else(
    app_env: Path, open_page: OpenPage, how: str
) -> None:
    link_id, token = _link(app_env, ["home"], Filters())
    if how == "revoked":
        db = Database(app_env)
        revoke_link(db, CLI_ADMIN, link_id)
        db.close()
    bad = {"tampered": token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), "garbage": "x"}
    at = open_page(share=bad.get(how, token), workspace="demo")
    assert not at.exception
    assert len(at.error) == 1 and "share link" in at.error[0].value
    assert not at.metric and not at.sidebar.multiselect and not at.main.title
