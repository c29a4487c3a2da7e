"""Read-only links to a finished workshop's presentation, shareable without the managers'
password and revocable. The token is shown once; the database keeps its hash."""

from __future__ import annotations

from sqlmodel import Session, col, select

from workshop.db.engine import begin_write
from workshop.db.models import ShareLink, Workshop, utcnow
from workshop.rules import steps
from workshop.rules.errors import NotFound, WrongStep
from workshop.rules.limits import NAME_MAX
from workshop.rules.security import hash_secret, new_secret
from workshop.rules.text import clean_text

TOKEN_MAX = 100


def create_link(*, session: Session, workshop_id: int, by: str) -> tuple[ShareLink, str]:
    """A new link for a finished workshop: the row and the token (shown once)."""
    by = clean_text(by, field="manager_name", max_len=NAME_MAX)
    begin_write(session)
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFound("error.workshop_not_found")
    if workshop.step != steps.FINISHED:
        raise WrongStep("share.not_finished")
    token = new_secret()
    link = ShareLink(workshop_id=workshop_id, token_hash=hash_secret(token), created_by=by)
    session.add(link)
    session.commit()
    session.refresh(link)
    return link, token


def revoke(*, session: Session, link_id: int) -> ShareLink:
    begin_write(session)
    link = session.get(ShareLink, link_id)
    if link is None:
        raise NotFound("share.unknown")
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        session.add(link)
    session.commit()
    session.refresh(link)
    return link


def links_of(*, session: Session, workshop_id: int) -> list[ShareLink]:
    return list(
        session.exec(
            select(ShareLink).where(ShareLink.workshop_id == workshop_id).order_by(col(ShareLink.id))
        ).all()
    )


def workshop_for_token(*, session: Session, token: str | None) -> Workshop:
    """The workshop a live link opens; an unknown or revoked link opens nothing."""
    if not token or len(token) > TOKEN_MAX:
        raise NotFound("share.unknown")
    link = session.exec(select(ShareLink).where(ShareLink.token_hash == hash_secret(token))).first()
    if link is None or link.revoked_at is not None:
        raise NotFound("share.unknown")
    workshop = session.get(Workshop, link.workshop_id)
    if workshop is None or workshop.step != steps.FINISHED:
        raise NotFound("share.unknown")
    return workshop
