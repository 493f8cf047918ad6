"""``python -m cem events`` prints the numbers of the Journey analytics page: the CLI's
output, parsed back, equals what the page's functions return for the same settings (the
page's own calls: repeats collapsed, top 15 paths, the observed stage order), with and
without a filter, on the demo workspace."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from cem.analytics.engine import duckdb_engine
from cem.analytics.events import flows as ja
from cem.analytics.filters import Filters
from cem.cli.main import main
from cem.store.db import Database

FILTERS = [([], Filters()), (["--filter", "channel=web"], Filters.make(channel=["web"]))]


def _cli(capsys, db_file: Path, *argv: str, fmt: str = "csv") -> pd.DataFrame:  # type: ignore[no-untyped-def]
    assert (
        main(["events", *argv, "--workspace", "demo", "--db", str(db_file), "--format", fmt]) == 0
    )
    out = capsys.readouterr().out
    if fmt == "json":
        return pd.DataFrame(json.loads(out))
    return pd.read_csv(io.StringIO(out), keep_default_na=False, na_values=[""])


def _end(target: object) -> str | None:
    """A transition's target; None for the journey's end (JSON null, empty CSV cell)."""
    return None if target is None or pd.isna(target) else str(target)


def _page(db_file: Path):  # type: ignore[no-untyped-def]
    return Database(db_file)


@pytest.mark.parametrize(("flags", "filters"), FILTERS)
def test_cli_paths_equal_the_page(demo_db_file: Path, capsys, flags, filters) -> None:  # type: ignore[no-untyped-def]
    cli = _cli(capsys, demo_db_file, "paths", "--k", "3", "--collapse-repeats", *flags)
    db = _page(demo_db_file)
    try:  # the Paths view's call (cem.ui.events.panels.paths_panel), default settings
        page = ja.top_paths(
            duckdb_engine(db), "demo", filters, k=3, limit=15, gap_days=None, collapse_repeats=True
        )
    finally:
        db.close()
    assert list(cli.columns) == ["path", "journeys", "share"]
    assert cli["path"].tolist() == page["path"].tolist()
    assert cli["journeys"].tolist() == page["journeys"].tolist()
    assert cli["share"].tolist() == pytest.approx(page["share"].tolist(), rel=1e-9)


@pytest.mark.parametrize(("flags", "filters"), FILTERS)
def test_cli_transitions_equal_the_page(demo_db_file: Path, capsys, flags, filters) -> None:  # type: ignore[no-untyped-def]
    cli = _cli(capsys, demo_db_file, "transitions", "--collapse-repeats", *flags, fmt="json")
    db = _page(demo_db_file)
    try:  # the Flow view's call
        page = ja.transitions(
            duckdb_engine(db), "demo", filters, gap_days=None, collapse_repeats=True
        )
    finally:
        db.close()
    assert list(cli.columns) == ["source", "target", "transitions", "share"]
    got = {(r.source, _end(r.target)): (r.transitions, r.share) for r in cli.itertuples()}
    want = {(r.source, _end(r.target)): (r.transitions, r.share) for r in page.itertuples()}
    assert got.keys() == want.keys()
    for pair, (moves, share) in want.items():
        assert got[pair][0] == moves and got[pair][1] == pytest.approx(
            share, abs=1e-10
        )  # JSON: 10 decimals


@pytest.mark.parametrize("mode", ["reached", "in_order"])
@pytest.mark.parametrize(("flags", "filters"), FILTERS)
def test_cli_funnel_equals_the_page(demo_db_file: Path, capsys, flags, filters, mode) -> None:  # type: ignore[no-untyped-def]
    db = _page(demo_db_file)
    try:  # the Funnels view's call, with the observed stage order (the default)
        engine = duckdb_engine(db)
        order = ja.observed_stage_order(engine, "demo", filters)
        page = ja.stage_funnel(engine, "demo", filters, tuple(order), mode=mode, gap_days=None)
    finally:
        db.close()
    in_order = ["--in-order"] if mode == "in_order" else []
    cli = _cli(capsys, demo_db_file, "funnel", *in_order, *flags)
    assert list(cli.columns) == ["stage", "journeys"]
    assert cli["stage"].tolist() == page["stage"].tolist() == order
    assert cli["journeys"].tolist() == page["journeys"].tolist()
    cli = _cli(capsys, demo_db_file, "funnel", *in_order, *flags, "--stages", ",".join(order))
    assert cli["journeys"].tolist() == page["journeys"].tolist()
