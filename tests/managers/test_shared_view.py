"""One view per workshop revision, shared by every screen of the workshop in the process."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from workshop import services
from workshop.db.models import utcnow
from workshop.live import views


def test_screens_of_one_revision_share_one_build(session: Session, group, monkeypatch) -> None:
    built = []
    real = views.workshop_view

    def counting(**kwargs):  # type: ignore[no-untyped-def]
        built.append(kwargs["workshop"].revision)
        return real(**kwargs)

    monkeypatch.setattr(views, "workshop_view", counting)
    wid = group.workshop.id
    first = [views.shared_view(session=session, workshop_id=wid) for _ in range(8)]
    assert len(built) == 1
    assert all(len(v.participants) == 5 for v in first)

    services.join(session=session, code=group.workshop.code, name="Late", department="Legal")
    after = views.shared_view(session=session, workshop_id=wid)
    assert len(built) == 2
    assert [p.name for p in after.participants][-1] == "Late"
    assert views.signature_of(after) == services.live_signature(session=session, code=group.workshop.code)


def test_the_countdown_is_computed_for_each_screen(session: Session, group) -> None:
    wid = group.workshop.id
    services.advance(session=session, workshop_id=wid)
    now = utcnow()
    early = views.shared_view(session=session, workshop_id=wid, now=now)
    later = views.shared_view(session=session, workshop_id=wid, now=now + timedelta(seconds=30))
    assert early.remaining is not None and later.remaining is not None
    assert abs((early.remaining - later.remaining) - 30) < 0.01


def test_two_databases_never_share_a_view(session: Session, builtin_version: int) -> None:
    from workshop.db.engine import create_tables, make_engine
    from workshop.maps.store import install_builtin_maps, latest_versions

    ours, _key = services.create_workshop(
        session=session,
        title="Наша",
        product="Наш",
        map_version_id=builtin_version,
        settings=services.Settings(),
    )
    other = make_engine("sqlite://")
    create_tables(other)
    with Session(other) as second:
        install_builtin_maps(session=second)
        version = latest_versions(session=second)[0][1]
        theirs, _key = services.create_workshop(
            session=second,
            title="Другая",
            product="Другой",
            map_version_id=version.id,
            settings=services.Settings(),
        )
        assert (theirs.id, theirs.revision) == (ours.id, ours.revision)  # the same key but for the database
        seen_there = views.shared_view(session=second, workshop_id=theirs.id)
    seen_here = views.shared_view(session=session, workshop_id=ours.id)
    assert seen_there.workshop.title == "Другая"
    assert seen_here.workshop.title == "Наша"
    other.dispose()
