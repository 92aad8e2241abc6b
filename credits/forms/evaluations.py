"""The evaluation form: the five standard items, the event's custom questions for
the session, and comments. Each 1-5 item is a group of radio buttons inside a
fieldset whose legend is the statement (includes/field.html renders it so)."""

from __future__ import annotations

from django import forms

from credits.evaluation_selectors import (
    SCALE,
    SCALE_LABELS,
    TEXT_MAX,
    answer_key,
    standard_items,
)
from credits.models import EvaluationQuestion

SCALE_CHOICES = [(rating, f"{rating} {SCALE_LABELS[rating]}") for rating in SCALE]
SCALE_HELP = "1 means strongly disagree, 5 strongly agree."


def scale_field(label: str, *, required: bool = True) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=SCALE_CHOICES,
        coerce=int,
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a rating from 1 to 5.",
            "invalid_choice": "Choose one of the ratings 1 to 5.",
        },
    )


def text_field(label: str, *, required: bool, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        strip=True,
        help_text=help_text or f"Up to {TEXT_MAX:,} characters.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Please answer this question."},
    )


class EvaluationForm(forms.Form):
    """Built per session: pass the questions from `questions_for(session)`."""

    def __init__(self, *args, questions: list[EvaluationQuestion], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for name, label in standard_items():
            self.fields[name] = scale_field(label)
        for question in questions:
            if question.kind == EvaluationQuestion.Kind.SCALE:
                field = scale_field(question.prompt, required=question.required)
            else:
                field = text_field(question.prompt, required=question.required)
            self.fields[self.question_field(question)] = field
        self.fields["comments"] = text_field(
            "Comments",
            required=False,
            help_text="Anything else the provider and presenters should know: what worked, "
            f"what to change, topics for future programs. Up to {TEXT_MAX:,} characters.",
        )

    @staticmethod
    def question_field(question: EvaluationQuestion) -> str:
        return f"q{question.pk}"

    @property
    def standard_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _ in standard_items()]

    @property
    def question_fields(self) -> list[forms.BoundField]:
        return [self[self.question_field(q)] for q in self.questions]

    def evaluation_data(self) -> dict:
        """What `evaluation_submit(data=...)` takes, from the cleaned data."""
        data = {name: self.cleaned_data[name] for name, _ in standard_items()}
        data["answers"] = {
            answer_key(q): self.cleaned_data[self.question_field(q)]
            for q in self.questions
            if self.cleaned_data.get(self.question_field(q)) not in (None, "")
        }
        data["comments"] = self.cleaned_data["comments"]
        return data
