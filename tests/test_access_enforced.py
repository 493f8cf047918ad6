"""Access is enforced in ``cem``: every function that takes an ``actor`` refuses a viewer
and an editor of another workspace, and leaves the data unchanged.

The table below must name every public function in ``cem`` with an ``actor`` parameter
(found by inspecting the signatures), so a new mutating function cannot skip the check.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from typing import Any

import pytest

import cem
from cem.access import audit, links, users
from cem.access.principal import CLI_ADMIN, Principal, Role
from cem.analytics.engine import duckdb_engine
from cem.demo import journey as demo_journey
from cem.demo import workspace as demo_workspace
from cem.errors import AccessDenied
from cem.ingest import history, load
from cem.journeys import copies, draft, edit, io, templates, writes
from cem.journeys import history as journey_history
from cem.store import workspaces
from cem.store.db import Database
from cem.voc import themes

WS = "demo"
VIEWER = Principal("vic", Role.VIEWER, workspaces=frozenset({WS}))
OTHER_EDITOR = Principal("eve", Role.EDITOR, workspaces=frozenset({"elsewhere"}))
# Functions that take an actor but change nothing on its behalf: the audit record itself
# (it writes down who acted, after the acting function's check).
NOT_GATES = {"cem.access.audit.record"}

Call = Callable[[Database, dict[str, int], Principal], Any]


def _journey_edit(db: Database, ids: dict[str, int], actor: Principal) -> None:
    with edit.journey_edit(db, WS, actor=actor):
        pass


# name -> (call, whether an editor granted another workspace is refused too)
CALLS: dict[str, tuple[Call, bool]] = {
    "cem.access.links.create_link": (lambda db, i, a: links.create_link(db, a, WS), True),
    "cem.access.links.revoke_link": (lambda db, i, a: links.revoke_link(db, a, i["link"]), True),
    "cem.access.audit.browse": (lambda db, i, a: audit.browse(db, actor=a), True),
    "cem.access.users.list_users": (lambda db, i, a: users.list_users(db, actor=a), True),
    "cem.access.users.add_user": (
        lambda db, i, a: users.add_user(db, "zoe", "admin", "password1", actor=a),
        True,
    ),
    "cem.access.users.remove_user": (lambda db, i, a: users.remove_user(db, "ann", actor=a), True),
    "cem.access.users.set_password": (
        lambda db, i, a: users.set_password(db, "ann", "password9", actor=a),
        True,
    ),
    "cem.access.users.set_role": (
        lambda db, i, a: users.set_role(db, "ann", "admin", actor=a),
        True,
    ),
    "cem.access.users.grant_workspace": (
        lambda db, i, a: users.grant_workspace(db, "ann", "x", actor=a),
        True,
    ),
    "cem.access.users.set_grants": (
        lambda db, i, a: users.set_grants(db, "ann", ("x",), actor=a),
        True,
    ),
    "cem.access.users.set_disabled": (
        lambda db, i, a: users.set_disabled(db, "ann", True, actor=a),
        True,
    ),
    "cem.access.users.revoke_workspace": (
        lambda db, i, a: users.revoke_workspace(db, "ann", WS, actor=a),
        True,
    ),
    "cem.demo.journey.seed_demo_journey": (
        lambda db, i, a: demo_journey.seed_demo_journey(db, WS, actor=a),
        True,
    ),
    "cem.demo.workspace.build_demo_workspace": (
        lambda db, i, a: demo_workspace.build_demo_workspace(db, actor=a),
        True,
    ),
    "cem.ingest.history.delete_import": (
        lambda db, i, a: history.delete_import(db, WS, i["import"], actor=a),
        True,
    ),
    "cem.ingest.load.import_file": (
        lambda db, i, a: load.import_file(
            db, WS, b"customer_id,nps\n1,9\n", "responses", actor=a, file_name="x.csv"
        ),
        True,
    ),
    "cem.journeys.copies.create_journey_from_dict": (
        lambda db, i, a: copies.create_journey_from_dict(db, WS, {"name": "Copy"}, actor=a),
        True,
    ),
    "cem.journeys.copies.duplicate_journey": (
        lambda db, i, a: copies.duplicate_journey(db, WS, i["journey"], actor=a),
        True,
    ),
    "cem.journeys.draft.create_draft_journey": (
        lambda db, i, a: draft.create_draft_journey(duckdb_engine(db), WS, "Draft", actor=a),
        True,
    ),
    "cem.journeys.edit.journey_edit": (_journey_edit, True),
    "cem.journeys.history.undo": (
        lambda db, i, a: journey_history.undo(db, WS, i["journey"], actor=a),
        True,
    ),
    "cem.journeys.history.redo": (
        lambda db, i, a: journey_history.redo(db, WS, i["journey"], actor=a),
        True,
    ),
    "cem.journeys.history.restore_version": (
        lambda db, i, a: journey_history.restore_version(db, WS, i["journey"], 1, actor=a),
        True,
    ),
    "cem.journeys.io.import_journey": (
        lambda db, i, a: io.import_journey(
            db,
            WS,
            b'{"name": "J", "stages": [{"name": "S", "touchpoints": []}]}',
            "j.json",
            actor=a,
        ),
        True,
    ),
    "cem.journeys.templates.create_journey_from_template": (
        lambda db, i, a: templates.create_journey_from_template(db, WS, "retail", actor=a),
        True,
    ),
    "cem.journeys.writes.create_journey": (
        lambda db, i, a: writes.create_journey(db, WS, "New", actor=a),
        True,
    ),
    "cem.journeys.writes.update_journey": (
        lambda db, i, a: writes.update_journey(
            db, WS, i["journey"], actor=a, expected_version=None, name="Renamed"
        ),
        True,
    ),
    "cem.journeys.writes.delete_journey": (
        lambda db, i, a: writes.delete_journey(db, WS, i["journey"], actor=a),
        True,
    ),
    "cem.journeys.writes.add_stage": (
        lambda db, i, a: writes.add_stage(db, WS, i["journey"], "S", actor=a),
        True,
    ),
    "cem.journeys.writes.rename_stage": (
        lambda db, i, a: writes.rename_stage(
            db, WS, i["stage"], "S", actor=a, expected_version=None
        ),
        True,
    ),
    "cem.journeys.writes.move_stage": (
        lambda db, i, a: writes.move_stage(db, WS, i["stage"], 0, actor=a, expected_version=None),
        True,
    ),
    "cem.journeys.writes.delete_stage": (
        lambda db, i, a: writes.delete_stage(db, WS, i["stage"], actor=a, expected_version=None),
        True,
    ),
    "cem.journeys.writes.add_touchpoint": (
        lambda db, i, a: writes.add_touchpoint(db, WS, i["stage"], "T", actor=a),
        True,
    ),
    "cem.journeys.writes.update_touchpoint": (
        lambda db, i, a: writes.update_touchpoint(
            db, WS, i["touchpoint"], actor=a, expected_version=None, name="T2"
        ),
        True,
    ),
    "cem.journeys.writes.move_touchpoint": (
        lambda db, i, a: writes.move_touchpoint(
            db, WS, i["touchpoint"], actor=a, expected_version=None, position=0
        ),
        True,
    ),
    "cem.journeys.writes.delete_touchpoint": (
        lambda db, i, a: writes.delete_touchpoint(
            db, WS, i["touchpoint"], actor=a, expected_version=None
        ),
        True,
    ),
    "cem.journeys.writes.set_lane_cell": (
        lambda db, i, a: writes.set_lane_cell(
            db, WS, i["stage"], "goals", "x", actor=a, expected_version=None
        ),
        True,
    ),
    "cem.journeys.writes.update_lanes": (
        lambda db, i, a: writes.update_lanes(
            db, WS, i["journey"], [], actor=a, expected_version=None
        ),
        True,
    ),
    # creating a workspace needs only the editor role (an editor may start a new one)
    "cem.store.workspaces.create_workspace": (
        lambda db, i, a: workspaces.create_workspace(db, "fresh", actor=a),
        False,
    ),
    "cem.store.workspaces.rename_workspace": (
        lambda db, i, a: workspaces.rename_workspace(db, WS, "renamed", actor=a),
        True,
    ),
    "cem.store.workspaces.delete_workspace": (
        lambda db, i, a: workspaces.delete_workspace(db, WS, actor=a),
        True,
    ),
    "cem.voc.themes.create_theme": (
        lambda db, i, a: themes.create_theme(db, WS, "Late", "late", actor=a),
        True,
    ),
    "cem.voc.themes.update_theme": (
        lambda db, i, a: themes.update_theme(db, WS, i["theme"], actor=a, label="L"),
        True,
    ),
    "cem.voc.themes.merge_themes": (
        lambda db, i, a: themes.merge_themes(db, WS, [i["theme"], i["theme2"]], "M", actor=a),
        True,
    ),
    "cem.voc.themes.delete_theme": (
        lambda db, i, a: themes.delete_theme(db, WS, i["theme"], actor=a),
        True,
    ),
}


def _functions_with_actor() -> set[str]:
    found = set()
    for info in pkgutil.walk_packages(cem.__path__, "cem."):
        if info.name.startswith(("cem.ui", "cem.__main__")):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(obj):
                continue
            if obj.__module__ == info.name and "actor" in inspect.signature(obj).parameters:
                found.add(f"{info.name}.{name}")
    return found


def test_every_function_with_an_actor_is_in_the_table() -> None:
    assert _functions_with_actor() - NOT_GATES == set(CALLS)


def _snapshot(db: Database) -> dict[str, tuple[int, int]]:
    tables = [
        r[0]
        for r in db.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
        ).fetchall()
    ]
    return {
        t: tuple(db.execute(f'SELECT count(*), bit_xor(hash(x)) FROM "{t}" AS x').fetchone())
        for t in tables
    }


def _ids(db: Database) -> dict[str, int]:
    def one(sql: str, offset: int = 0) -> int:
        return int(db.execute(sql + f" ORDER BY 1 LIMIT 1 OFFSET {offset}", [WS]).fetchone()[0])

    return {
        "journey": one("SELECT journey_id FROM journeys WHERE workspace = ?"),
        "stage": one(
            "SELECT stage_id FROM stages JOIN journeys USING (journey_id) WHERE workspace = ?"
        ),
        "touchpoint": one(
            "SELECT touchpoint_id FROM touchpoints JOIN journeys USING (journey_id) "
            "WHERE workspace = ?"
        ),
        "import": one("SELECT import_id FROM imports WHERE workspace = ?"),
        "theme": one("SELECT theme_id FROM voc_themes WHERE workspace = ?"),
        "theme2": one("SELECT theme_id FROM voc_themes WHERE workspace = ?", 1),
    }


@pytest.fixture(scope="module")
def shared_demo(demo_db_file: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    import shutil

    path = tmp_path_factory.mktemp("enforced") / "demo.duckdb"
    shutil.copyfile(demo_db_file, path)
    database = Database(path)
    users.add_user(database, "ann", "viewer", "password1", actor=CLI_ADMIN, workspaces=(WS,))
    link = links.create_link(database, CLI_ADMIN, WS)
    yield database, {**_ids(database), "link": link.id}, _snapshot(database)
    database.close()


@pytest.mark.parametrize("name", sorted(CALLS))
def test_refused_and_nothing_changes(name: str, shared_demo: Any) -> None:
    db, ids, before = shared_demo
    call, cross_workspace = CALLS[name]
    actors = [VIEWER, OTHER_EDITOR] if cross_workspace else [VIEWER]
    for actor in actors:
        with pytest.raises(AccessDenied):
            call(db, ids, actor)
    assert _snapshot(db) == before
