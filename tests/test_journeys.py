"""The journey model: CRUD, ordering, versions/undo/restore, optimistic concurrency,
templates, duplicate and the demo journey."""

from __future__ import annotations

import json

import pytest

from cem.access.principal import LOCAL_ADMIN
from cem.errors import ConflictError, InputError
from cem.journeys import api as jm
from cem.journeys.templates import TEMPLATES, create_journey_from_template
from cem.store.db import Database
from cem.store.workspaces import ensure_workspace

WS = "ws"


@pytest.fixture
def wdb(db: Database) -> Database:
    ensure_workspace(db, WS)
    return db


def _journey(db: Database) -> int:
    return jm.create_journey(
        db,
        WS,
        "Trip",
        persona="Traveller",
        outline=[
            ("Plan", ["Search", "Reviews"]),
            ("Book", [{"name": "Checkout", "channel": "Web", "emotion": 1}, "Receipt"]),
            ("Stay", ["Check-in"]),
        ],
        author="Ana",
        actor=LOCAL_ADMIN,
    )


def _names(db: Database, jid: int) -> list[tuple[str, list[str]]]:
    j = jm.get_journey(db, WS, jid)
    return [(s.name, [t.name for t in s.touchpoints]) for s in j.stages]


def _positions_dense(db: Database, jid: int) -> None:
    j = jm.get_journey(db, WS, jid)
    assert [s.position for s in j.stages] == list(range(len(j.stages)))
    for s in j.stages:
        assert [t.position for t in s.touchpoints] == list(range(len(s.touchpoints)))


def test_create_and_read(wdb: Database) -> None:
    jid = _journey(wdb)
    j = jm.get_journey(wdb, WS, jid)
    assert _names(wdb, jid) == [
        ("Plan", ["Search", "Reviews"]),
        ("Book", ["Checkout", "Receipt"]),
        ("Stay", ["Check-in"]),
    ]
    checkout = j.stages[1].touchpoints[0]
    assert (checkout.channel, checkout.emotion, checkout.pain_point) == ("web", 1, False)
    assert (j.name, j.persona, j.version) == ("Trip", "Traveller", 1)
    [summary] = jm.list_journeys(wdb, WS)
    assert (summary.name, summary.n_stages, summary.n_touchpoints) == ("Trip", 3, 5)
    _positions_dense(wdb, jid)
    history = jm.list_versions(wdb, WS, jid)
    assert [(v.version, v.action, v.author) for v in history] == [
        (1, "Created journey 'Trip'", "Ana")
    ]


def test_every_change_bumps_version_and_snapshots(wdb: Database) -> None:
    jid = _journey(wdb)
    j = jm.get_journey(wdb, WS, jid)
    plan = j.stages[0]
    jm.rename_stage(
        wdb,
        WS,
        plan.stage_id,
        "Plan trip",
        expected_version=plan.version,
        author="Bo",
        actor=LOCAL_ADMIN,
    )
    assert jm.journey_version(wdb, WS, jid) == 2
    assert jm.list_versions(wdb, WS, jid)[0].action == "Renamed stage 'Plan' to 'Plan trip'"
    snap = jm.snapshot_at(wdb, WS, jid, 2)
    assert snap["stages"][0]["name"] == "Plan trip"
    assert snap["changed"] == [f"stage:{plan.stage_id}"]
    # The workspace's data revision (the key of the response caches) does not move: a map
    # edit changes no customer data, so the filters and KPIs stay cached.
    before = wdb.data_version(WS)
    jm.add_stage(wdb, WS, jid, "Leave", actor=LOCAL_ADMIN)
    assert wdb.data_version(WS) == before
    assert jm.journey_version(wdb, WS, jid) == 3


def test_stage_ordering_stays_dense(wdb: Database) -> None:
    jid = _journey(wdb)
    new = jm.add_stage(wdb, WS, jid, "Dream", position=0, actor=LOCAL_ADMIN)
    assert [n for n, _ in _names(wdb, jid)] == ["Dream", "Plan", "Book", "Stay"]
    _positions_dense(wdb, jid)
    j = jm.get_journey(wdb, WS, jid)
    jm.move_stage(wdb, WS, new, 2, expected_version=j.stage(new).version, actor=LOCAL_ADMIN)
    assert [n for n, _ in _names(wdb, jid)] == ["Plan", "Book", "Dream", "Stay"]
    jm.move_stage(wdb, WS, new, 99, expected_version=j.stage(new).version + 1, actor=LOCAL_ADMIN)
    assert [n for n, _ in _names(wdb, jid)] == ["Plan", "Book", "Stay", "Dream"]
    j = jm.get_journey(wdb, WS, jid)
    book = j.stages[1]
    jm.delete_stage(
        wdb,
        WS,
        book.stage_id,
        expected_version=book.version,
        touchpoint_versions={t.touchpoint_id: t.version for t in book.touchpoints},
        actor=LOCAL_ADMIN,
    )
    assert _names(wdb, jid) == [
        ("Plan", ["Search", "Reviews"]),
        ("Stay", ["Check-in"]),
        ("Dream", []),
    ]
    _positions_dense(wdb, jid)
    assert (
        wdb.execute("SELECT count(*) FROM touchpoints WHERE journey_id = ?", [jid]).fetchone()[0]
        == 3
    )


def test_touchpoint_ordering_and_moves(wdb: Database) -> None:
    jid = _journey(wdb)
    j = jm.get_journey(wdb, WS, jid)
    plan, book = j.stages[0], j.stages[1]
    first = jm.add_touchpoint(
        wdb, WS, plan.stage_id, "Friend tip", position=0, channel="social", actor=LOCAL_ADMIN
    )
    assert _names(wdb, jid)[0] == ("Plan", ["Friend tip", "Search", "Reviews"])
    # move down within the stage
    jm.move_touchpoint(wdb, WS, first, expected_version=1, position=2, actor=LOCAL_ADMIN)
    assert _names(wdb, jid)[0] == ("Plan", ["Search", "Reviews", "Friend tip"])
    # move to another stage at a position
    search = plan.touchpoints[0]
    jm.move_touchpoint(
        wdb,
        WS,
        search.touchpoint_id,
        expected_version=search.version,
        stage_id=book.stage_id,
        position=1,
        actor=LOCAL_ADMIN,
    )
    assert _names(wdb, jid)[:2] == [
        ("Plan", ["Reviews", "Friend tip"]),
        ("Book", ["Checkout", "Search", "Receipt"]),
    ]
    _positions_dense(wdb, jid)
    receipt = book.touchpoints[1]
    jm.delete_touchpoint(
        wdb, WS, receipt.touchpoint_id, expected_version=receipt.version, actor=LOCAL_ADMIN
    )
    assert _names(wdb, jid)[1] == ("Book", ["Checkout", "Search"])
    _positions_dense(wdb, jid)
    assert jm.list_versions(wdb, WS, jid)[0].action == "Deleted touchpoint 'Receipt'"


def test_update_touchpoint_fields_and_actions(wdb: Database) -> None:
    jid = _journey(wdb)
    tp = jm.get_journey(wdb, WS, jid).stages[1].touchpoints[1]
    v = jm.update_touchpoint(
        wdb, WS, tp.touchpoint_id, expected_version=tp.version, emotion="-2", actor=LOCAL_ADMIN
    )
    v = jm.update_touchpoint(
        wdb, WS, tp.touchpoint_id, expected_version=v, pain_point=True, actor=LOCAL_ADMIN
    )
    v = jm.update_touchpoint(
        wdb,
        WS,
        tp.touchpoint_id,
        expected_version=v,
        pain_note="Lost",
        owner="Ops",
        actor=LOCAL_ADMIN,
    )
    jm.update_touchpoint(
        wdb, WS, tp.touchpoint_id, expected_version=v, moment_of_truth=True, actor=LOCAL_ADMIN
    )
    got = jm.get_journey(wdb, WS, jid).touchpoint(tp.touchpoint_id)
    assert (got.emotion, got.pain_point, got.pain_note, got.owner, got.moment_of_truth) == (
        -2,
        True,
        "Lost",
        "Ops",
        True,
    )
    assert got.version == tp.version + 4
    assert [v.action for v in jm.list_versions(wdb, WS, jid)[:4]] == [
        "Marked 'Receipt' as a moment of truth",
        "Edited 'Receipt': owner, pain note",
        "Marked 'Receipt' as a pain point",
        "Set emotion of 'Receipt' to -2 😡",
    ]
    # A no-op edit writes no version.
    before = jm.journey_version(wdb, WS, jid)
    jm.update_touchpoint(
        wdb, WS, tp.touchpoint_id, expected_version=got.version, owner="Ops", actor=LOCAL_ADMIN
    )
    assert jm.journey_version(wdb, WS, jid) == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"emotion": 3}, r"whole number from -2 to \+2"),
        ({"emotion": "happy"}, "is not an emotion"),
        ({"name": "  "}, "cannot be empty"),
        ({"name": "x" * 121}, "at most 120"),
        ({"colour": "red"}, "not a touchpoint field"),
    ],
)
def test_bad_touchpoint_values_are_input_errors(wdb: Database, changes: dict, message: str) -> None:
    jid = _journey(wdb)
    tp = jm.get_journey(wdb, WS, jid).touchpoints[0]
    with pytest.raises(InputError, match=message):
        jm.update_touchpoint(
            wdb, WS, tp.touchpoint_id, expected_version=tp.version, actor=LOCAL_ADMIN, **changes
        )
    assert jm.journey_version(wdb, WS, jid) == 1


def test_stale_edit_of_same_touchpoint_conflicts_and_keeps_other_change(wdb: Database) -> None:
    jid = _journey(wdb)
    seen = jm.get_journey(wdb, WS, jid)  # both editors loaded this
    tp = seen.touchpoints[2]
    jm.update_touchpoint(
        wdb,
        WS,
        tp.touchpoint_id,
        expected_version=tp.version,
        emotion=-1,
        author="Ana",
        actor=LOCAL_ADMIN,
    )
    with pytest.raises(ConflictError) as info:
        jm.update_touchpoint(
            wdb,
            WS,
            tp.touchpoint_id,
            expected_version=tp.version,
            emotion=2,
            author="Bo",
            actor=LOCAL_ADMIN,
        )
    assert "Touchpoint 'Checkout'" in str(info.value)
    assert "“Set emotion of 'Checkout' to -1 🙁” by Ana" in str(info.value)
    assert jm.get_journey(wdb, WS, jid).touchpoint(tp.touchpoint_id).emotion == -1
    assert jm.list_versions(wdb, WS, jid)[0].author == "Ana"


def test_edits_to_different_touchpoints_both_survive(wdb: Database) -> None:
    jid = _journey(wdb)
    seen = jm.get_journey(wdb, WS, jid)
    a, b = seen.touchpoints[0], seen.touchpoints[3]
    jm.update_touchpoint(
        wdb, WS, a.touchpoint_id, expected_version=a.version, owner="Ana", actor=LOCAL_ADMIN
    )
    # Bo's editor still shows the old journey version, but his touchpoint is unchanged.
    jm.update_touchpoint(
        wdb, WS, b.touchpoint_id, expected_version=b.version, owner="Bo", actor=LOCAL_ADMIN
    )
    now = jm.get_journey(wdb, WS, jid)
    assert (now.touchpoint(a.touchpoint_id).owner, now.touchpoint(b.touchpoint_id).owner) == (
        "Ana",
        "Bo",
    )
    # Stage renames are per stage too.
    s1, s2 = seen.stages[0], seen.stages[1]
    jm.rename_stage(wdb, WS, s1.stage_id, "P", expected_version=s1.version, actor=LOCAL_ADMIN)
    jm.rename_stage(wdb, WS, s2.stage_id, "B", expected_version=s2.version, actor=LOCAL_ADMIN)
    with pytest.raises(ConflictError, match="Renamed stage 'Plan' to 'P'"):
        jm.rename_stage(wdb, WS, s1.stage_id, "Q", expected_version=s1.version, actor=LOCAL_ADMIN)
    assert [s.name for s in jm.get_journey(wdb, WS, jid).stages] == ["P", "B", "Stay"]


def test_edit_of_deleted_touchpoint_conflicts(wdb: Database) -> None:
    jid = _journey(wdb)
    tp = jm.get_journey(wdb, WS, jid).touchpoints[0]
    jm.delete_touchpoint(
        wdb, WS, tp.touchpoint_id, expected_version=tp.version, author="Ana", actor=LOCAL_ADMIN
    )
    with pytest.raises(ConflictError, match="removed by “Deleted touchpoint 'Search'” by Ana"):
        jm.update_touchpoint(
            wdb, WS, tp.touchpoint_id, expected_version=tp.version, owner="X", actor=LOCAL_ADMIN
        )


def test_delete_stage_conflicts_when_its_touchpoints_changed(wdb: Database) -> None:
    jid = _journey(wdb)
    seen = jm.get_journey(wdb, WS, jid)
    book = seen.stages[1]
    tp = book.touchpoints[0]
    jm.update_touchpoint(
        wdb,
        WS,
        tp.touchpoint_id,
        expected_version=tp.version,
        owner="Ana",
        author="Ana",
        actor=LOCAL_ADMIN,
    )
    with pytest.raises(ConflictError, match="not deleted"):
        jm.delete_stage(
            wdb,
            WS,
            book.stage_id,
            expected_version=book.version,
            touchpoint_versions={t.touchpoint_id: t.version for t in book.touchpoints},
            actor=LOCAL_ADMIN,
        )
    assert len(jm.get_journey(wdb, WS, jid).stages) == 3


def test_journey_details_conflict_only_on_details(wdb: Database) -> None:
    jid = _journey(wdb)
    tp = jm.get_journey(wdb, WS, jid).touchpoints[0]
    jm.update_touchpoint(
        wdb, WS, tp.touchpoint_id, expected_version=tp.version, owner="x", actor=LOCAL_ADMIN
    )
    jm.update_journey(
        wdb, WS, jid, expected_version=1, name="Trip 2", author="Ana", actor=LOCAL_ADMIN
    )
    assert jm.get_journey(wdb, WS, jid).name == "Trip 2"
    with pytest.raises(ConflictError, match="Renamed journey 'Trip' to 'Trip 2'"):
        jm.update_journey(wdb, WS, jid, expected_version=2, name="Trip 3", actor=LOCAL_ADMIN)


def test_undo_redo_and_restore(wdb: Database) -> None:
    jid = _journey(wdb)
    j = jm.get_journey(wdb, WS, jid)
    tp = j.touchpoints[0]
    jm.update_touchpoint(
        wdb, WS, tp.touchpoint_id, expected_version=tp.version, name="Google", actor=LOCAL_ADMIN
    )
    jm.add_stage(wdb, WS, jid, "Leave", actor=LOCAL_ADMIN)
    assert jm.undo(wdb, WS, jid, author="Ana", actor=LOCAL_ADMIN) == "Added stage 'Leave'"
    assert [n for n, _ in _names(wdb, jid)] == ["Plan", "Book", "Stay"]
    assert jm.undo(wdb, WS, jid, actor=LOCAL_ADMIN) == "Renamed touchpoint 'Search' to 'Google'"
    assert _names(wdb, jid)[0] == ("Plan", ["Search", "Reviews"])
    assert not jm.can_undo(wdb, WS, jid)
    with pytest.raises(InputError, match="nothing to undo"):
        jm.undo(wdb, WS, jid, actor=LOCAL_ADMIN)
    assert jm.can_redo(wdb, WS, jid)
    jm.redo(wdb, WS, jid, actor=LOCAL_ADMIN)
    assert _names(wdb, jid)[0] == ("Plan", ["Google", "Reviews"])
    assert [v.action for v in jm.list_versions(wdb, WS, jid)[:3]] == [
        "Redo: Renamed touchpoint 'Search' to 'Google'",
        "Undo: Renamed touchpoint 'Search' to 'Google'",
        "Undo: Added stage 'Leave'",
    ]
    # Restore any version (as a new version); ids survive so editors keep working.
    jm.restore_version(wdb, WS, jid, 3, actor=LOCAL_ADMIN)
    assert [n for n, _ in _names(wdb, jid)] == ["Plan", "Book", "Stay", "Leave"]
    assert jm.list_versions(wdb, WS, jid)[0].action == "Restored version 3"
    _positions_dense(wdb, jid)
    # Undo after a restore goes back to the state just before the restore (it undid the
    # change before the restored version instead).
    before_restore = _names(wdb, jid)
    jm.update_touchpoint(
        wdb, WS, tp.touchpoint_id, expected_version=None, owner="Ops", actor=LOCAL_ADMIN
    )
    jm.restore_version(wdb, WS, jid, 1, actor=LOCAL_ADMIN)
    assert jm.undo(wdb, WS, jid, actor=LOCAL_ADMIN) == "Restored version 1"
    assert _names(wdb, jid) == before_restore
    assert jm.get_journey(wdb, WS, jid).touchpoint(tp.touchpoint_id).owner == "Ops"
    # A restored object has a new version: an editor based on the old one conflicts.
    now = jm.get_journey(wdb, WS, jid).touchpoint(tp.touchpoint_id)
    assert now.version > tp.version + 1
    with pytest.raises(ConflictError):
        jm.update_touchpoint(
            wdb, WS, tp.touchpoint_id, expected_version=tp.version + 1, owner="x", actor=LOCAL_ADMIN
        )


def test_undo_with_stale_view_conflicts(wdb: Database) -> None:
    jid = _journey(wdb)
    tp = jm.get_journey(wdb, WS, jid).touchpoints[0]
    jm.update_touchpoint(
        wdb,
        WS,
        tp.touchpoint_id,
        expected_version=tp.version,
        owner="Ana",
        author="Ana",
        actor=LOCAL_ADMIN,
    )
    with pytest.raises(ConflictError, match="by Ana"):
        jm.undo(wdb, WS, jid, expected_version=1, actor=LOCAL_ADMIN)
    assert jm.get_journey(wdb, WS, jid).touchpoint(tp.touchpoint_id).owner == "Ana"


def test_duplicate_journey_for_another_persona(wdb: Database) -> None:
    jid = _journey(wdb)
    tp = jm.get_journey(wdb, WS, jid).touchpoints[2]
    jm.update_touchpoint(
        wdb,
        WS,
        tp.touchpoint_id,
        expected_version=tp.version,
        pain_point=True,
        pain_note="slow",
        actor=LOCAL_ADMIN,
    )
    copy = jm.duplicate_journey(
        wdb, WS, jid, name="Trip (family)", persona="Parent", actor=LOCAL_ADMIN
    )
    a, b = jm.get_journey(wdb, WS, jid), jm.get_journey(wdb, WS, copy)
    assert (b.name, b.persona, b.version) == ("Trip (family)", "Parent", 1)
    strip = lambda d: {k: v for k, v in d.items() if k not in ("name", "persona")}  # noqa: E731
    assert strip(jm.journey_to_dict(a, with_ids=False)) == strip(
        jm.journey_to_dict(b, with_ids=False)
    )
    assert {t.touchpoint_id for t in a.touchpoints}.isdisjoint(
        t.touchpoint_id for t in b.touchpoints
    )


def test_delete_and_rename_journey(wdb: Database) -> None:
    jid = _journey(wdb)
    jm.update_journey(
        wdb, WS, jid, expected_version=1, name="Voyage", persona="Solo", actor=LOCAL_ADMIN
    )
    assert jm.list_versions(wdb, WS, jid)[0].action == "Edited journey 'Trip': name, persona"
    jm.delete_journey(wdb, WS, jid, actor=LOCAL_ADMIN)
    assert jm.list_journeys(wdb, WS) == []
    for table in ("stages", "touchpoints", "journey_versions"):
        assert wdb.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_templates_are_valid(wdb: Database, key: str) -> None:
    template = TEMPLATES[key]
    jid = create_journey_from_template(wdb, WS, key, persona="P", actor=LOCAL_ADMIN)
    j = jm.get_journey(wdb, WS, jid)
    assert len(j.stages) >= 5
    assert all(len(s.touchpoints) >= 2 for s in j.stages)
    assert [s.name for s in j.stages] == [s for s, _ in template.outline]
    assert all(t.channel for t in j.touchpoints)
    assert j.name == template.title


def test_seed_demo_journey_is_idempotent(wdb: Database) -> None:
    from cem.demo.catalogue import DEMO_STAGES
    from cem.demo.journey import seed_demo_journey

    first = seed_demo_journey(wdb, WS, actor=LOCAL_ADMIN)
    second = seed_demo_journey(wdb, WS, actor=LOCAL_ADMIN)
    assert first != second
    [summary] = jm.list_journeys(wdb, WS)
    assert summary.journey_id == second
    j = jm.get_journey(wdb, WS, second)
    assert (j.name, j.persona) == ("Brightwave customer journey", "Busy Parent")
    assert [(s.name, [(t.name, t.channel) for t in s.touchpoints]) for s in j.stages] == [
        (stage, list(tps)) for stage, tps in DEMO_STAGES
    ]
    pains = sorted(t.name for t in j.touchpoints if t.pain_point)
    mots = sorted(t.name for t in j.touchpoints if t.moment_of_truth)
    assert pains == ["Installation", "Phone support"]
    assert mots == ["Installation", "Online checkout"]
    assert all(t.emotion is not None and t.owner for t in j.touchpoints)
    assert sum(1 for t in j.touchpoints if t.opportunity) >= 3
    assert wdb.execute("SELECT count(*) FROM stages").fetchone()[0] == len(DEMO_STAGES)
    assert "Busy Parent" in jm.list_personas(wdb, WS)


def test_snapshot_is_json_with_every_field(wdb: Database) -> None:
    jid = _journey(wdb)
    raw = wdb.execute(
        "SELECT snapshot FROM journey_versions WHERE journey_id = ?", [jid]
    ).fetchone()[0]
    data = json.loads(raw)
    tp = data["stages"][1]["touchpoints"][0]
    assert set(jm.EDITABLE_TOUCHPOINT_FIELDS) <= set(tp)
    assert (tp["name"], tp["channel"], tp["emotion"]) == ("Checkout", "web", 1)


def test_workspaces_are_isolated(wdb: Database) -> None:
    jid = _journey(wdb)
    ensure_workspace(wdb, "other")
    assert jm.list_journeys(wdb, "other") == []
    with pytest.raises(Exception, match="no journey"):
        jm.get_journey(wdb, "other", jid)
