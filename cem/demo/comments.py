"""The demo's free-text comments, composed from the phrase banks of :mod:`cem.demo.text`.

>>> _money(39.0), _money(39.5)
('39', '39.50')
"""

from __future__ import annotations

from cem.demo import text as demo_text
from cem.demo.draws import Draws
from cem.demo.story import FLAG_MISSED, PRICE_RISE_GBP

SENTIMENTS = ("neg", "neu", "pos")


def compose_comment(
    d: Draws,
    tp_name: str,
    sentiment: str,
    persona: str,
    relationship: bool,
    after_rise: bool,
    after_fix: bool,
    price: float,
    mbps: int,
    flag: int,
) -> str:
    """Compose one comment: [opening] [context,] remark [second remark] [closing] [emoji]."""
    if relationship and sentiment == "neg" and after_rise and d.chance(0.5):
        bank = demo_text.PRICE_RISE
    elif relationship and d.chance(0.6):
        bank = demo_text.GENERAL[sentiment]
    else:
        bank = demo_text.SPECIFIC[tp_name][sentiment]
    remark = d.pick(bank)
    if "callback" in remark.lower() and sentiment == "pos" and not after_fix:
        remark = d.pick([x for x in bank if "callback" not in x.lower()] or [remark])
    if tp_name == "Installation" and flag == FLAG_MISSED and sentiment != "pos" and d.chance(0.7):
        remark = d.pick(
            (
                "Engineer didn't turn up in the slot.",
                "Took a day off work and nobody came.",
                "Waited in all day for the install, no call, no show.",
            )
        )
    parts: list[str] = []
    if d.chance(0.2):
        remark = f"{d.pick(demo_text.PERSONA_CONTEXT[persona])}, {_lower_first(remark)}"
    if d.chance(0.45):
        opening = d.pick(demo_text.OPENINGS[sentiment])
        parts.append(opening)
        if opening.endswith((",", " but")):
            remark = _lower_first(remark)
    parts.append(remark)
    if d.chance(0.2):
        second = d.pick(demo_text.SPECIFIC[tp_name][sentiment])
        if second != parts[-1]:
            parts.append(second)
    if d.chance(0.4):
        parts.append(d.pick(demo_text.CLOSINGS[sentiment]))
    text = " ".join(parts)
    if d.chance(0.15):
        text += " " + d.pick(demo_text.EMOJI[sentiment])
    if "{" not in text:
        return text
    rise = PRICE_RISE_GBP if price < 100 else round(price * 0.06)
    values = {
        "minutes": d.integer(25, 95) if sentiment != "pos" else d.integer(2, 15),
        "days": d.integer(2, 9),
        "times": d.integer(2, 4),
        "name": d.pick(demo_text.STAFF_NAMES),
        "speed": d.integer(8, 60) if sentiment == "neg" else int(mbps * d.between(0.9, 1.0)),
        "price": _money(price),
        "old": _money(price),
        "new": _money(price + rise),
        "rise": _money(rise),
        "fee": d.pick(("49", "60", "29.99")),
        "amount": _money(price + d.integer(12, 40)),
    }
    return demo_text.fill(text, values)


def _lower_first(text: str) -> str:
    """Lower-case a remark's first letter when it follows a comma ("I" and names stay)."""
    if text.startswith(("{name}", "I ", "I'm", "I've")):
        return text
    return text[:1].lower() + text[1:]


def _money(value: float) -> str:
    """'39' or '39.50'."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"
