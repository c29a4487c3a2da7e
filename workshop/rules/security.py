"""Secrets: random, long, stored as hashes, compared in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# Join codes avoid letters and digits people confuse (0/O, 1/I/L).
JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(raw: str) -> str:
    return (raw or "").strip().upper().replace(" ", "").replace("-", "")


def new_secret() -> str:
    """A URL-safe secret of 192 bits (facilitator key, participant token)."""
    return secrets.token_urlsafe(24)


def _derived(key: str, purpose: str, code: str) -> str:
    """A key derived from another for one purpose and one code (HMAC-SHA256, 192 bits)."""
    digest = hmac.new(key.encode("utf-8"), f"{purpose}:{code}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode("ascii")


def room_key(facilitator_key: str, code: str) -> str:
    """The room projector's key: derived from the facilitator's, so the facilitator's screen can
    always show the room's link, while the room's link never reveals the facilitator's key."""
    return _derived(facilitator_key, "room", code)


def group_key(organizer_key: str, code: str) -> str:
    """A group's facilitator key in an innovation day: derived from the organizer's, so the
    organizer's screen can always give every group's facilitator link, while a facilitator's
    link never reveals the organizer's key or another group's."""
    return _derived(organizer_key, "group", code)


def gallery_key(organizer_key: str, code: str) -> str:
    """The key of an innovation day's gallery on the main projector, derived like a group's: the
    projected link opens the gallery only."""
    return _derived(organizer_key, "gallery", code)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def secret_matches(secret: str | None, stored_hash: str) -> bool:
    if not secret:
        return False
    return hmac.compare_digest(hash_secret(secret), stored_hash)


def password_matches(given: str | None, configured: str | None) -> bool:
    """The managers' password check: constant time; no configured password opens nothing."""
    if not given or not configured:
        return False
    return hmac.compare_digest(given.encode("utf-8"), configured.encode("utf-8"))
