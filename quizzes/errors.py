"""Exceptions raised by the quizzes package; messages are Chinese because trainers read them."""

from __future__ import annotations


class QuizError(ValueError):
    """Base class: a request could not be carried out; the message says why."""


class InvalidQuestion(QuizError):
    """A question record failed validation.

    Attributes:
        problems: ``(field, message)`` pairs, one per problem found.
    """

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems))


class AnswerError(QuizError):
    """An answer given by a trainee cannot be understood for its question."""


class AttemptError(QuizError):
    """An attempt cannot be started, answered or submitted in its current state."""


class LiveSessionError(QuizError):
    """A live-session action is not allowed in the session's current state."""


class AuthError(QuizError):
    """A trainer account cannot be created or changed."""


class NotFound(QuizError):
    """A record looked up by id, code or name does not exist."""
