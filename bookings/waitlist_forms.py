from collections.abc import Sequence
from datetime import date

from django import forms

from . import waitlist
from .forms import HoneypotMixin
from .models import SessionType

DAY_FIELDS = ("day", "day_2", "day_3")


def _day_field(label: str, *, required: bool) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date like 2026-03-14.", "required": "Please choose a day."},
    )


class WaitlistForm(HoneypotMixin, forms.Form):
    """Joining the waitlist of up to three full days for one session."""

    session_type = forms.ModelChoiceField(
        label="Session",
        queryset=SessionType.objects.filter(is_active=True),
        to_field_name="slug",
        empty_label=None,
        error_messages={"invalid_choice": "That session isn't available to book. Please choose one from the list."},
    )
    day = _day_field("Day", required=True)
    day_2 = _day_field("Another day (optional)", required=False)
    day_3 = _day_field("A third day (optional)", required=False)
    name = forms.CharField(
        label="Your name",
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Please tell us your name."},
    )
    email = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "invalid": "Enter an email address like name@example.com, so we can reach you.",
            "required": "Please give your email: it's how we offer you a time.",
        },
    )
    address = forms.CharField(
        label="Address, for a session on location",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )

    def __init__(
        self, *args, sessions: Sequence[SessionType] | None = None, min_day=None, max_day=None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        if sessions is not None:
            self.fields["session_type"].choices = [(s.slug, s.name) for s in sessions]
        if min_day and max_day:
            for name in DAY_FIELDS:
                self.fields[name].widget.attrs.update(min=min_day.isoformat(), max=max_day.isoformat())
        for field in self.fields.values():  # Bootstrap's classes, as on the booking form
            bootstrap = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} {bootstrap}".strip()

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            widget = self.fields[name].widget if name in self.fields else None
            if widget is not None and "is-invalid" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Please tell us your name.")
        return name

    def clean(self) -> dict:
        data = super().clean()
        session = data.get("session_type")
        if session is None:
            return data
        seen: set[date] = set()
        for name in DAY_FIELDS:
            day = data.get(name)
            if day is None:
                continue
            if day in seen:
                self.add_error(name, "You've chosen this day already.")
                continue
            seen.add(day)
            if why := waitlist.why_day_cannot_wait(session, day):
                self.add_error(name, why)
        if not session.allows_studio and not data.get("address", "").strip():
            self.add_error("address", f"The {session.name.lower()} takes place on location: where should it be?")
        return data

    @property
    def days(self) -> list[date]:
        return [self.cleaned_data[name] for name in DAY_FIELDS if self.cleaned_data.get(name)]
