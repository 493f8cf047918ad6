"""Users (admins): accounts with their role, workspaces, last sign-in and disabled flag;
add, change, reset a password, disable or remove one; and "Check access", which explains
a permission. Panels live in :mod:`cem.ui.access.users`, all rules in :mod:`cem.access`."""

from __future__ import annotations

import streamlit as st

from cem.ui.access.users import users_page

st.title("Users")
st.caption(
    "Admins manage every workspace and these accounts; editors import and edit in their "
    "workspaces; viewers only read theirs."
)
users_page()
