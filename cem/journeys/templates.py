"""Journey templates to start a workshop from: realistic stages, touchpoints and channels.

Each template is an outline for :func:`cem.journeys.writes.create_journey`. Emotions, pain
points and owners are left for the team to fill in.

>>> sorted(TEMPLATES)
['hospitality', 'retail', 'saas']
>>> TEMPLATES["retail"].outline[0][0]
'Discover'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cem.access.principal import Principal
from cem.errors import InputError
from cem.journeys.writes import create_journey
from cem.store.db import Database


@dataclass(frozen=True)
class JourneyTemplate:
    """A named outline: [(stage, [(touchpoint, channel), ...]), ...]."""

    key: str
    title: str
    description: str
    outline: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]

    def as_outline(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """The outline in the shape :func:`cem.journeys.writes.create_journey` takes."""
        return [
            (stage, [{"name": name, "channel": channel} for name, channel in tps])
            for stage, tps in self.outline
        ]


TEMPLATES: dict[str, JourneyTemplate] = {
    "retail": JourneyTemplate(
        "retail",
        "Retail (omnichannel shop)",
        "A shopper discovers a product, buys online or in store, and comes back.",
        (
            (
                "Discover",
                (("Social media post", "social"), ("Search ad", "web"), ("Shop window", "store")),
            ),
            (
                "Browse",
                (
                    ("Product page", "web"),
                    ("Mobile app browse", "app"),
                    ("In-store display", "store"),
                ),
            ),
            ("Buy", (("Checkout", "web"), ("Till", "store"), ("Order confirmation", "email"))),
            (
                "Receive",
                (
                    ("Delivery tracking", "sms"),
                    ("Home delivery", "courier"),
                    ("Click & collect", "store"),
                ),
            ),
            ("Use", (("Unboxing", "in person"), ("Product help", "web"))),
            (
                "Return",
                (
                    ("Returns portal", "web"),
                    ("Store return desk", "store"),
                    ("Refund email", "email"),
                ),
            ),
            ("Loyalty", (("Loyalty app points", "app"), ("Newsletter", "email"))),
        ),
    ),
    "saas": JourneyTemplate(
        "saas",
        "SaaS / subscription",
        "A team finds a product, trials it, subscribes, adopts it and renews.",
        (
            (
                "Awareness",
                (("Blog article", "web"), ("Webinar", "web"), ("Peer recommendation", "social")),
            ),
            (
                "Evaluation",
                (
                    ("Pricing page", "web"),
                    ("Free trial sign-up", "web"),
                    ("Sales demo call", "phone"),
                ),
            ),
            (
                "Onboarding",
                (("Welcome email", "email"), ("Setup wizard", "app"), ("Kick-off call", "phone")),
            ),
            (
                "Adoption",
                (
                    ("In-app tips", "app"),
                    ("Help centre", "web"),
                    ("Feature release notes", "email"),
                ),
            ),
            ("Support", (("Support chat", "chat"), ("Ticket by email", "email"))),
            ("Billing", (("Invoice", "email"), ("Plan upgrade", "app"))),
            ("Renewal", (("Renewal reminder", "email"), ("Account review", "phone"))),
        ),
    ),
    "hospitality": JourneyTemplate(
        "hospitality",
        "Hospitality (hotel stay)",
        "A guest plans a trip, books, stays and shares the experience.",
        (
            ("Inspiration", (("Travel review site", "web"), ("Instagram post", "social"))),
            (
                "Booking",
                (
                    ("Booking engine", "web"),
                    ("Booking confirmation", "email"),
                    ("Reservations call", "phone"),
                ),
            ),
            ("Pre-arrival", (("Pre-arrival email", "email"), ("Mobile check-in", "app"))),
            ("Arrival", (("Airport transfer", "in person"), ("Front desk check-in", "in person"))),
            (
                "Stay",
                (
                    ("Room", "in person"),
                    ("Restaurant", "in person"),
                    ("Concierge chat", "chat"),
                    ("Housekeeping", "in person"),
                ),
            ),
            ("Departure", (("Check-out", "in person"), ("Final bill", "email"))),
            (
                "Post-stay",
                (
                    ("Satisfaction survey", "email"),
                    ("Review invitation", "email"),
                    ("Loyalty offer", "email"),
                ),
            ),
        ),
    ),
}


def template_choices() -> dict[str, str]:
    """key -> title, for a select box."""
    return {key: t.title for key, t in TEMPLATES.items()}


def create_journey_from_template(
    db: Database,
    workspace: str,
    template: str,
    *,
    actor: Principal,
    name: str | None = None,
    persona: str | None = None,
    author: str | None = None,
) -> int:
    """Create a journey from a template; returns its id."""
    chosen = TEMPLATES.get(template)
    if chosen is None:
        raise InputError(f"There is no journey template '{template}'.")
    return create_journey(
        db,
        workspace,
        name or chosen.title,
        actor=actor,
        description=chosen.description,
        persona=persona,
        outline=chosen.as_outline(),
        author=author,
        action=f"Created journey from the {chosen.title} template",
    )
