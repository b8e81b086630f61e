"""Intake questions on the booking form: each of a session type's questions as a form field, and
what the client answered as the booking keeps it (the question's wording included, as they read it)."""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django import forms
from django.utils.html import escape

from photostudio.cache import INTAKE_QUESTIONS_KEY, remembered

from .models import IntakeQuestion, SessionType

Kind = IntakeQuestion.Kind
YES_NO = [("yes", "Yes"), ("no", "No")]
TOO_LONG = "Please keep your answer under %(limit_value)d characters (it has %(show_value)d)."
NOT_OFFERED = "Please choose one of the answers listed."


@dataclass(frozen=True)
class Answer:
    """One answer as it is stored: several choices one a line; empty when an optional question was skipped."""

    question_id: int
    question_text: str
    answer: str


def questions_for(session: SessionType | None) -> tuple[IntakeQuestion, ...]:
    """The session's questions in order, from the shared cache (forgotten when any question changes)."""
    if session is None:
        return ()
    return remembered(INTAKE_QUESTIONS_KEY, _questions_by_session).get(session.pk, ())


def _questions_by_session() -> dict[int, tuple[IntakeQuestion, ...]]:
    grouped: dict[int, list[IntakeQuestion]] = {}
    for question in IntakeQuestion.objects.order_by("session_type_id", "order", "pk"):
        grouped.setdefault(question.session_type_id, []).append(question)
    return {session_id: tuple(questions) for session_id, questions in grouped.items()}


def field_name(question: IntakeQuestion) -> str:
    return f"intake_{question.pk}"


def form_field(question: IntakeQuestion) -> forms.Field:
    """The question as a form field: its text the label, its help text escaped (the page prints help as HTML)."""
    common = {"label": question.text, "required": question.required, "help_text": escape(question.help_text)}
    choices = [(choice, choice) for choice in question.choice_list]
    if question.kind == Kind.ONE_CHOICE:
        return forms.ChoiceField(
            choices=choices,
            widget=forms.RadioSelect,
            error_messages={"required": "Please choose an answer.", "invalid_choice": NOT_OFFERED},
            **common,
        )
    if question.kind == Kind.SEVERAL_CHOICES:
        return forms.MultipleChoiceField(
            choices=choices,
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "required": "Please choose at least one answer.",
                "invalid_choice": NOT_OFFERED,
                "invalid_list": NOT_OFFERED,
            },
            **common,
        )
    if question.kind == Kind.YES_NO:
        return forms.ChoiceField(
            choices=YES_NO,
            widget=forms.RadioSelect,
            error_messages={"required": "Please answer yes or no.", "invalid_choice": "Please answer yes or no."},
            **common,
        )
    long = question.kind == Kind.LONG_TEXT
    return forms.CharField(
        max_length=3000 if long else 300,
        widget=forms.Textarea(attrs={"rows": 3}) if long else None,
        error_messages={"required": "Please answer this question.", "max_length": TOO_LONG},
        **common,
    )


def answers(questions: Sequence[IntakeQuestion], cleaned_data: dict) -> tuple[Answer, ...]:
    """What was answered to each question, in the questions' order, as the booking keeps it."""
    kept = []
    for question in questions:
        value = cleaned_data.get(field_name(question))
        if question.kind == Kind.SEVERAL_CHOICES:
            text = "\n".join(value or [])
        elif question.kind == Kind.YES_NO:
            text = dict(YES_NO).get(value, "")
        else:
            text = (value or "").strip()
        kept.append(Answer(question_id=question.pk, question_text=question.text, answer=text))
    return tuple(kept)


def fingerprint(questions: Sequence[IntakeQuestion], *more) -> str:
    """A short digest of what the questions show (and of `more`), for keys of cached markup."""
    shown = [(q.pk, q.text, q.kind, q.required, q.help_text, q.choice_list) for q in questions]
    return hashlib.sha256(repr((shown, more)).encode()).hexdigest()[:16]
