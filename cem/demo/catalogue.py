"""The demo's catalogue: the Brightwave journey's stages and touchpoints and its personas.

Plain constants shared by the demo data generator (:mod:`cem.demo.story`,
:mod:`cem.demo.generate`) and the demo journey map (:mod:`cem.demo.journey`).
"""

from __future__ import annotations

# The demo journey, in order: (stage, [(touchpoint, channel), ...]). The demo event log
# and survey responses use exactly these stage and touchpoint names, so the demo
# journey map matches its data.
DEMO_STAGES: list[tuple[str, list[tuple[str, str]]]] = [
    ("Awareness", [("Social media ad", "social"), ("Search result", "web")]),
    ("Research", [("Website visit", "web"), ("Pricing page", "web"), ("Live chat", "chat")]),
    ("Purchase", [("Online checkout", "web"), ("Order confirmation email", "email")]),
    ("Onboarding", [("Delivery", "courier"), ("Installation", "field"), ("Welcome call", "phone")]),
    ("Usage", [("Mobile app", "app"), ("First bill", "email")]),
    ("Support", [("Help centre", "web"), ("Phone support", "phone"), ("Store visit", "store")]),
    ("Renewal", [("Renewal offer", "email"), ("Loyalty reward", "app")]),
]
DEMO_PERSONAS: dict[str, str] = {
    "Busy Parent": "Juggles family logistics; wants things to just work and hates waiting on hold.",
    "Remote Worker": "Works from home on video calls all day; speed and reliability above all.",
    "Student Sharer": "Shares a flat and a bill; price-sensitive, lives in the app.",
    "Small Business Owner": "Runs a shop or studio; downtime costs money, wants one named contact.",
}
