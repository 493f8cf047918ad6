"""The persona card at the head of the journey map, and the dialog that edits it with the
journey's name and description.

The card shows the persona's picture (or avatar / initials), name, quote and goals; every
text is HTML-escaped and the picture is a ``data:`` URL of bytes whose type
:mod:`cem.journeys.persona` read from the bytes themselves. The dialog's Save checks the
version it was opened with, so a colleague's concurrent change of the details is a
conflict, not overwritten.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from cem import ui
from cem.journeys import api as jm
from cem.journeys.model import Journey
from cem.journeys.persona import (
    MAX_PICTURE_BYTES,
    avatar_text,
    clean_picture,
    data_url,
    goal_list,
)
from cem.ui.journeys import state
from cem.ui.journeys.widgets import safe_html

PICTURE_KEY = "dlg_j_picture"  # + the version the dialog was opened with: a fresh uploader
CARD_CSS = """<style>
.jm-persona { display: flex; gap: 0.9rem; align-items: center; padding: 0.35rem 0.6rem;
  border: 1px solid #e0e0e0; border-radius: 10px; background: #fafbfc; margin-bottom: 0.3rem; }
.jm-persona img, .jm-persona .jm-avatar { width: 56px; height: 56px; border-radius: 50%;
  flex: 0 0 56px; object-fit: cover; }
.jm-persona .jm-avatar { background: #37474f; color: #fff; display: flex; font-size: 24px;
  align-items: center; justify-content: center; font-weight: 700; }
.jm-persona .jm-p-name { font-size: 17px; font-weight: 700; color: #263238; }
.jm-persona .jm-p-quote { font-size: 15px; font-style: italic; color: #455a64; }
.jm-persona .jm-p-desc { font-size: 14px; color: #546e7a; }
.jm-persona .jm-p-goals { font-size: 14px; color: #37474f; margin-left: auto; max-width: 45%;
  overflow-wrap: anywhere; }
.jm-persona .jm-p-goals span { display: inline-block; background: #e3f2fd; border-radius: 10px;
  padding: 0.05rem 0.5rem; margin: 0.1rem 0.2rem 0.1rem 0; }
</style>"""


def card_html(journey: Journey, description: str | None = None) -> str:
    """The persona card as HTML (every user text escaped); '' when there is no persona."""
    if not (journey.persona or journey.persona_quote or journey.persona_goals):
        return ""
    url = data_url(journey.persona_picture, journey.persona_picture_type)
    face = (
        f'<img src="{url}" alt="">'
        if url
        else f'<div class="jm-avatar">'
        f"{safe_html(avatar_text(journey.persona, journey.persona_avatar))}</div>"
    )
    lines = [f'<div class="jm-p-name">{safe_html(journey.persona or "Persona")}</div>']
    if journey.persona_quote:
        lines.append(f'<div class="jm-p-quote">“{safe_html(journey.persona_quote)}”</div>')
    if description:
        lines.append(f'<div class="jm-p-desc">{safe_html(description)}</div>')
    goals = "".join(
        f"<span>🎯 {safe_html(goal)}</span>" for goal in goal_list(journey.persona_goals)
    )
    return (
        f'<div class="jm-persona" data-testid="jm-persona">{face}<div>{"".join(lines)}</div>'
        + (f'<div class="jm-p-goals">{goals}</div>' if goals else "")
        + "</div>"
    )


def persona_card(journey: Journey, description: str | None, *, hint: bool = True) -> None:
    """Draw the card (or, with ``hint``, a one-line hint when there is no persona yet)."""
    html = card_html(journey, description)
    if not html:
        if hint:
            st.caption("No persona yet: **👤 Persona** adds one with a picture, quote and goals.")
        return
    st.markdown(CARD_CSS + html, unsafe_allow_html=True)


def fill(journey: Journey) -> dict[str, Any]:
    """The dialog's widget values from the journey."""
    return {
        "dlg_j_name": journey.name,
        "dlg_j_persona": journey.persona or "",
        "dlg_j_avatar": journey.persona_avatar or "",
        "dlg_j_quote": journey.persona_quote or "",
        "dlg_j_goals": journey.persona_goals or "",
        "dlg_j_description": journey.description or "",
        "dlg_j_remove_picture": False,
    }


def body(workspace: str, journey: Journey) -> None:
    """The dialog's widgets; Save saves and closes (:func:`cem.ui.journeys.state.final`)."""
    left, right = st.columns([3, 2])
    left.text_input("Journey name", key="dlg_j_name", max_chars=jm.MAX_NAME_LENGTH)
    left.text_input("Persona", key="dlg_j_persona", max_chars=jm.MAX_NAME_LENGTH)
    left.text_input("Persona's quote", key="dlg_j_quote", placeholder="In their own words")
    left.text_area(
        "Goals (one a line)",
        key="dlg_j_goals",
        height=100,
        placeholder="Get online the day I move in\nNo surprises on the bill",
    )
    left.text_area("Description of the journey", key="dlg_j_description", height=68)
    with right:
        url = data_url(journey.persona_picture, journey.persona_picture_type)
        if url:
            st.image(journey.persona_picture, width=120)
            st.checkbox("Remove the picture", key="dlg_j_remove_picture")
        st.file_uploader(
            f"Picture (PNG, JPEG, WebP or GIF, up to {MAX_PICTURE_BYTES // 1000} kB)",
            type=["png", "jpg", "jpeg", "webp", "gif"],
            key=_picture_key(),
            max_upload_size=1,  # MB: the browser refuses far bigger files at once
        )
        st.text_input(
            "Avatar without a picture",
            key="dlg_j_avatar",
            max_chars=8,
            placeholder="an emoji, e.g. 🧑‍💼 (else the initials)",
        )
    st.button(
        "Save",
        type="primary",
        key="dlg_j_save",
        on_click=state.final,
        # The whole page: the picker above the map shows the journey's name and persona.
        args=(lambda: _save(workspace, journey), "Saved the journey and its persona", True),
    )


def _picture_key() -> str:
    return f"{PICTURE_KEY}_{st.session_state.get(state.OPENED_VERSION)}"


def _save(workspace: str, journey: Journey) -> None:
    """Details, then the picture, each checked against what the dialog was opened with
    (the picture is checked first, so a refused one saves nothing)."""
    get = st.session_state.get
    db, kw = ui.get_database(), state.edit_kwargs()
    upload = get(_picture_key())
    picture = None if upload is None else upload.getvalue()
    clean_picture(picture)
    version = jm.update_journey(
        db,
        workspace,
        journey.journey_id,
        expected_version=state.opened_version(journey.version),
        name=get("dlg_j_name"),
        persona=get("dlg_j_persona"),
        persona_quote=get("dlg_j_quote"),
        persona_goals=get("dlg_j_goals"),
        persona_avatar=get("dlg_j_avatar"),
        description=get("dlg_j_description"),
        **kw,
    )
    if picture is not None:
        jm.set_persona_picture(
            db, workspace, journey.journey_id, picture, expected_version=version, **kw
        )
    elif get("dlg_j_remove_picture"):
        jm.set_persona_picture(
            db, workspace, journey.journey_id, None, expected_version=version, **kw
        )
