"""The demo journey map: Brightwave's broadband journey with the team's view filled in.

Its stages and touchpoints are :data:`cem.demo.catalogue.DEMO_STAGES` (the same names as the
demo's events and responses, so the map matches its data); the team's emotions, owners,
pain points, lane texts and the persona's quote are here. Built through the journey API
like any user's map.
"""

from __future__ import annotations

from typing import Any

from cem.access.principal import Principal
from cem.demo.catalogue import DEMO_PERSONAS, DEMO_STAGES
from cem.journeys.writes import create_journey, journey_edit
from cem.store.db import Database

DEMO_JOURNEY_NAME = "Brightwave customer journey"
DEMO_PERSONA = "Busy Parent"
DEMO_QUOTE = "I just need it to work before the kids get home — don't make me wait in all day."
_DEMO_DETAILS: dict[str, dict[str, Any]] = {
    "Social media ad": {"emotion": 0, "owner": "Marketing"},
    "Search result": {"emotion": 0, "owner": "Marketing"},
    "Website visit": {"emotion": 1, "owner": "Digital"},
    "Pricing page": {
        "emotion": -1,
        "owner": "Digital",
        "opportunity": "Show the all-in monthly price, router included",
    },
    "Live chat": {"emotion": 1, "owner": "Sales"},
    "Online checkout": {
        "emotion": 1,
        "owner": "Digital",
        "moment_of_truth": True,
        "description": "Order, choose an installation slot, pay",
    },
    "Order confirmation email": {"emotion": 1, "owner": "Digital"},
    "Delivery": {"emotion": 0, "owner": "Logistics"},
    "Installation": {
        "emotion": -2,
        "owner": "Field operations",
        "pain_point": True,
        "pain_note": "Missed or late engineer visits; the family waits in all day",
        "moment_of_truth": True,
        "opportunity": "Two-hour arrival windows with live engineer tracking",
    },
    "Welcome call": {"emotion": 1, "owner": "Customer care"},
    "Mobile app": {"emotion": 1, "owner": "Digital"},
    "First bill": {
        "emotion": -1,
        "owner": "Billing",
        "opportunity": "Explain the pro-rata first bill before it arrives",
    },
    "Help centre": {"emotion": 0, "owner": "Customer care"},
    "Phone support": {
        "emotion": -2,
        "owner": "Customer care",
        "pain_point": True,
        "pain_note": "Long hold times at peak hours; repeated identity checks",
        "opportunity": "Call-back instead of hold; one identity check per call",
    },
    "Store visit": {"emotion": 1, "owner": "Retail"},
    "Renewal offer": {"emotion": 0, "owner": "Retention"},
    "Loyalty reward": {"emotion": 2, "owner": "Retention"},
}


# Lane texts per stage (customer goals, actions, thoughts, backstage).
_DEMO_CELLS: dict[str, dict[str, str]] = {
    "Awareness": {
        "goals": "Find faster broadband for the family",
        "actions": "Scrolls social media, searches 'best family broadband'",
        "thoughts": "Are they any better than what we have?",
        "backstage": "Paid social and search campaigns",
    },
    "Research": {
        "goals": "Understand the real monthly price",
        "actions": "Compares plans, asks about the router in chat",
        "thoughts": "Is the router included or extra?",
        "backstage": "Pricing team, chat agents",
    },
    "Purchase": {
        "goals": "Order in minutes and pick an installation slot",
        "actions": "Checks out online, reads the confirmation",
        "thoughts": "Good, that was easy",
        "backstage": "Order system books the engineer",
    },
    "Onboarding": {
        "goals": "Be online on the promised day",
        "actions": "Waits in for the engineer, sets up the router",
        "thoughts": "Why is nobody here yet?",
        "backstage": "Field scheduling, courier",
    },
    "Usage": {
        "goals": "Reliable Wi-Fi and a bill that makes sense",
        "actions": "Uses the app, opens the first bill",
        "thoughts": "Why is the first bill higher?",
        "backstage": "Billing runs pro-rata charges",
    },
    "Support": {
        "goals": "Get a problem fixed in one contact",
        "actions": "Searches help, calls support, visits a store",
        "thoughts": "I have explained this three times",
        "backstage": "Contact centre staffing at peak hours",
    },
    "Renewal": {
        "goals": "A fair price for staying",
        "actions": "Reads the renewal offer, redeems a reward",
        "thoughts": "Nice that loyalty counts",
        "backstage": "Retention team offers",
    },
}


def demo_outline() -> list[tuple[str, list[dict[str, Any]]]]:
    """The demo journey's outline: :data:`~cem.demo.catalogue.DEMO_STAGES` plus team details."""
    return [
        (
            stage,
            [
                {"name": tp, "channel": channel, "data_key": tp, **_DEMO_DETAILS.get(tp, {})}
                for tp, channel in tps
            ],
        )
        for stage, tps in DEMO_STAGES
    ]


def seed_demo_journey(
    db: Database, workspace: str, *, actor: Principal, author: str = "demo"
) -> int:
    """Create the demo journey (replacing an existing one of that name, so it is
    idempotent); returns its id."""
    with journey_edit(db, workspace, actor=actor) as edit:
        edit.cur.execute(
            "INSERT INTO personas(workspace, name, description) VALUES (?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            [workspace, DEMO_PERSONA, DEMO_PERSONAS.get(DEMO_PERSONA)],
        )
        for (jid,) in edit.cur.execute(
            "SELECT journey_id FROM journeys WHERE workspace = ? AND name = ?",
            [workspace, DEMO_JOURNEY_NAME],
        ).fetchall():
            for table in (
                "journey_lane_cells",
                "touchpoints",
                "stages",
                "journey_versions",
                "journeys",
            ):
                edit.cur.execute(f"DELETE FROM {table} WHERE journey_id = ?", [jid])
    outline = demo_outline()
    return create_journey(
        db,
        workspace,
        DEMO_JOURNEY_NAME,
        actor=actor,
        description="From first ad to renewal, for a family broadband and mobile customer.",
        persona=DEMO_PERSONA,
        persona_quote=DEMO_QUOTE,
        outline=outline,
        stage_cells=[_DEMO_CELLS.get(stage, {}) for stage, _ in outline],
        author=author,
    )
