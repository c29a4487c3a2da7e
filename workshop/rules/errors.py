"""Named domain errors. Each carries a translation key and its arguments, so a page can show
the message in the reader's language: ``st.error(t(err.key, lang, **err.args))``."""

from __future__ import annotations

from typing import Any


class WorkshopError(Exception):
    key = "error.generic"

    def __init__(self, key: str | None = None, **args: Any) -> None:
        self.key = key or type(self).key
        self.args_ = args
        super().__init__(self.key, args)

    @property
    def args_dict(self) -> dict[str, Any]:
        return dict(self.args_)


class InvalidInput(WorkshopError):
    key = "error.invalid_input"


class NotFound(WorkshopError):
    key = "error.not_found"


class AccessDenied(WorkshopError):
    key = "error.access_denied"


class WrongStep(WorkshopError):
    key = "error.wrong_step"


class TimeUp(WorkshopError):
    key = "error.time_up"


class VotingClosed(WorkshopError):
    key = "error.voting_closed"


class BallotInvalid(WorkshopError):
    key = "error.ballot_invalid"


class TransitionRefused(WorkshopError):
    key = "error.transition_refused"


class NotLetIn(WorkshopError):
    """A participant who joined a locked room and has not been let in (or was turned away)."""

    key = "error.not_let_in"
