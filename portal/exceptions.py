"""Errors raised by services when a domain rule refuses an action."""


class DomainError(Exception):
    """A refusal with a translatable message, shown to the person as a form or admin error."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class IllegalTransition(DomainError):
    """The object is not in a state that allows this action (perhaps someone else moved it first)."""


class NotPermitted(DomainError):
    """The acting user's role or departments do not allow this action."""
