"""Signed share-link tokens: stdlib HMAC-SHA256, no extra dependency.

A token is ``<payload>.<signature>``: the payload is URL-safe base64 (no padding) of compact
JSON (link id, workspace, allowed pages, fixed filters, expiry as a Unix time or null), the
signature is URL-safe base64 of HMAC-SHA256(secret, payload). :func:`verify_token` checks
the signature in constant time (:func:`hmac.compare_digest`) before it reads the payload,
then the expiry against an injectable clock.

The server secret is ``[touchpoint] secret`` in ``.streamlit/secrets.toml`` when present,
else a random secret generated once into ``touchpoint.secret`` beside the database file,
readable by its owner only (0600). :func:`rotate_secret` replaces that file: every link
ever issued stops working at once (a secret in ``secrets.toml`` is rotated by editing it).

>>> secret = b"k" * 32
>>> t = sign_token({"id": "a", "workspace": "demo", "pages": ["home"], "filters": {},
...                 "exp": None}, secret)
>>> verify_token(t, secret)["workspace"]
'demo'
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cem.errors import ShareLinkInvalid
from cem.store.db import PROJECT_ROOT, resolve_db_path

SECRET_FILE_NAME = "touchpoint.secret"
SECRETS_TOML = PROJECT_ROOT / ".streamlit" / "secrets.toml"

TAMPERED = "This share link is not valid: it was changed or is incomplete."
EXPIRED = "This share link has expired; ask its sender for a new one."
REVOKED = "This share link was revoked; ask its sender for a new one."
UNKNOWN = "This share link is not known to this Touchpoint; ask its sender for a new one."

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """The current time in UTC, naive (as DuckDB TIMESTAMP columns store it)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(payload: str, secret: bytes) -> str:
    return _b64(hmac.new(secret, payload.encode("ascii"), hashlib.sha256).digest())


def sign_token(claims: dict[str, Any], secret: bytes) -> str:
    """The signed token carrying ``claims`` (JSON-serialisable)."""
    payload = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode("utf-8"))
    return f"{payload}.{_signature(payload, secret)}"


def verify_token(token: str, secret: bytes, now: Clock = utc_now) -> dict[str, Any]:
    """The claims of a genuine, unexpired token; else :class:`ShareLinkInvalid`."""
    payload, sep, signature = str(token).strip().partition(".")
    if not sep or not payload or not signature:
        raise ShareLinkInvalid(TAMPERED)
    try:
        expected = _signature(payload, secret)
    except UnicodeEncodeError as exc:
        raise ShareLinkInvalid(TAMPERED) from exc
    if not hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii", "replace")):
        raise ShareLinkInvalid(TAMPERED)
    try:
        claims = json.loads(_unb64(payload))
    except (binascii.Error, ValueError) as exc:
        raise ShareLinkInvalid(TAMPERED) from exc
    if not isinstance(claims, dict) or not isinstance(claims.get("id"), str):
        raise ShareLinkInvalid(TAMPERED)
    expires = claims.get("exp")
    if expires is not None and now() >= dt.datetime.fromtimestamp(expires, dt.UTC).replace(
        tzinfo=None
    ):
        raise ShareLinkInvalid(EXPIRED)
    return claims


def secret_path(db_path: str | None = None) -> Path:
    """Where the generated secret lives: ``touchpoint.secret`` beside the database."""
    path = resolve_db_path(db_path)
    folder = Path(path).parent if path != ":memory:" else PROJECT_ROOT / "data"
    return folder / SECRET_FILE_NAME


def _configured_secret(secrets_toml: Path) -> bytes | None:
    if not secrets_toml.exists():
        return None
    with secrets_toml.open("rb") as fh:
        value = tomllib.load(fh).get("touchpoint", {}).get("secret")
    return str(value).encode("utf-8") if value else None


def server_secret(db_path: str | None = None, secrets_toml: Path = SECRETS_TOML) -> bytes:
    """The secret that signs share links (configured, else generated once, 0600)."""
    configured = _configured_secret(secrets_toml)
    if configured is not None:
        return configured
    path = secret_path(db_path)
    if not path.exists():
        return _write_secret(path)
    return path.read_bytes().strip()


def _write_secret(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48).encode("ascii")
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(value)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return value


def rotate_secret(db_path: str | None = None) -> Path:
    """Generate a new secret file: every share link issued so far becomes invalid."""
    path = secret_path(db_path)
    _write_secret(path)
    return path
