import dataclasses
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData

from . import guide, intake, services
from .models import Booking, ContactMessage, IntakeQuestion, SessionType, TermsDocument

# A start time further than this from every bookable day is refused as malformed: whether a time
# is free is the booking service's call (it answers with the nearest free times), but its date
# arithmetic would overflow near either end of the calendar (0001-01-01, 9999-12-31).
START_SANITY_MARGIN = timedelta(days=366)


def parse_start(value: str, min_day: date | None = None, max_day: date | None = None) -> datetime | None:
    """An aware start time from a form, or None: not a time, no zone, or far from the bookable days."""
    try:
        start = datetime.fromisoformat(value)
        day = start.astimezone(UTC).date() if start.tzinfo else None
    except (ValueError, OverflowError):  # not a time, or one past either end of the calendar
        return None
    if day is None:
        return None
    if (min_day and day < min_day - START_SANITY_MARGIN) or (max_day and day > max_day + START_SANITY_MARGIN):
        return None
    return start


class HoneypotMixin(forms.Form):
    """A field people never see and bots fill in: a quiet guard on the public forms."""

    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1", "class": "hp-field"}),
    )

    def is_bot(self) -> bool:
        return getattr(self, "_bot", False)

    def clean(self) -> dict:
        data = super().clean()
        self._bot = bool(data.pop("website", ""))
        return data


class BookingRequestMixin:
    """A form whose valid data asks for a booking: the public booking form, and the admin's form
    for booking on a client's behalf (which names a known client instead of typing their details)."""

    def booking_request(self, **extra) -> services.BookingRequest:
        """The request for `services.request_booking`: every field of it this form has (and `extra`)."""
        data = dict(self.cleaned_data)
        if client := data.pop("client", None):
            data |= {"name": client.name, "email": client.email}
        fields = {f.name for f in dataclasses.fields(services.BookingRequest)}
        return services.BookingRequest(**{name: value for name, value in data.items() if name in fields} | extra)


class GuideForm(forms.Form):
    purpose = forms.ChoiceField(
        label="What are the photos for?",
        widget=forms.RadioSelect,
        choices=[
            (guide.Purpose.PROFILE, "A profile photo: LinkedIn, my company's About us page"),
            (guide.Purpose.PRESS, "Press releases, speaking engagements, event programmes"),
            (guide.Purpose.BRAND, "My website or brand: showing who I am and how I work"),
            (guide.Purpose.EVERYTHING, "A bit of everything"),
        ],
    )
    show_work = forms.ChoiceField(
        label="Should the photos show you at work (your workplace, your tools, your team)?",
        widget=forms.RadioSelect,
        choices=[(guide.ShowWork.YES, "Yes"), (guide.ShowWork.NO, "No, just me")],
    )
    place = forms.ChoiceField(
        label="Where would you like to be photographed?",
        widget=forms.RadioSelect,
        choices=[
            (guide.Place.STUDIO, "In the studio"),
            (guide.Place.WORKPLACE, "At my workplace"),
            (guide.Place.NO_PREFERENCE, "No preference"),
        ],
    )
    people = forms.ChoiceField(
        label="How many people?",
        widget=forms.RadioSelect,
        choices=[(guide.People.ONE, "Just me"), (guide.People.FEW, "2 to 5"), (guide.People.MANY, "6 or more")],
    )

    def recommendation(self) -> guide.Recommendation:
        d = self.cleaned_data
        return guide.recommend(
            guide.Purpose(d["purpose"]),
            guide.ShowWork(d["show_work"]),
            guide.Place(d["place"]),
            guide.People(d["people"]),
        )


class ContactForm(HoneypotMixin, forms.ModelForm):
    class Meta:
        model = ContactMessage
        fields = ["name", "email", "phone", "message"]
        labels = {"name": "Your name", "email": "Your email", "phone": "Phone (optional)", "message": "Your question"}
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "message": forms.Textarea(attrs={"rows": 6}),
        }
        error_messages = {
            "message": {
                "max_length": "Please keep your message under %(limit_value)d characters (it has %(show_value)d)."
            },
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("send", "Send", css_class="btn-dark"))

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())


def _escaped(value) -> str:
    """As a template prints a value: escaped, unless already marked safe."""
    return conditional_escape(value if isinstance(value, SafeData) else str(value))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: ` name="value"`, a bare ` name` for True, nothing for False."""
    return "".join(
        f" {_escaped(name)}" if value is True else f' {_escaped(name)}="{_escaped(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_escaped(widget["value"])}"'
    return (
        f'<input type="{_escaped(widget["type"])}" name="{_escaped(widget["name"])}"{value}{_attrs(widget["attrs"])}>'
    )


def _textarea(widget: dict) -> str:
    value = _escaped(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_escaped(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _select(widget: dict) -> str:
    parts = [f'<select name="{_escaped(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_escaped(group_name)}">')
        for option in options:
            label = _escaped(option["label"])
            parts.append(f'\n  <option value="{_escaped(option["value"])}"{_attrs(option["attrs"])}>{label}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class QuickWidgets(DjangoTemplates):
    """Django's own markup for plain inputs, text areas and selects, written out in Python instead
    of drawn through its templates (three nested ones for a text box): the same bytes (a test
    compares them) for a fraction of the time. The booking form draws ten such fields on every
    visit; any other template is drawn as usual."""

    DRAWN = {
        **{f"django/forms/widgets/{kind}.html": _input for kind in ("input", "text", "email", "number", "date")},
        "django/forms/widgets/textarea.html": _textarea,
        "django/forms/widgets/select.html": _select,
    }

    def render(self, template_name, context, request=None):
        draw = self.DRAWN.get(template_name)
        if draw is None:
            return super().render(template_name, context, request)
        return draw(context["widget"]).strip()


class BookingForm(BookingRequestMixin, HoneypotMixin, forms.Form):
    """The booking request. Free times depend on the session type and the day, so the view passes
    them in; with JavaScript they refresh from /book/times/ without a reload."""

    default_renderer = QuickWidgets()

    session_type = forms.ModelChoiceField(
        label="Session",
        queryset=SessionType.objects.filter(is_active=True),
        to_field_name="slug",
        empty_label=None,
        error_messages={"invalid_choice": "That session isn't available to book. Please choose one from the list."},
    )
    date = forms.DateField(
        label="Day",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date like 2026-03-14."},
    )
    # Any well-formed time is accepted here: whether it is (still) free is the booking service's
    # decision, made inside the transaction that stores the booking.
    start = forms.CharField(
        label="Start time", widget=forms.RadioSelect, error_messages={"required": "Please choose a start time."}
    )
    name = forms.CharField(label="Your name", max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(label="Email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(
        label="Phone",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    company = forms.CharField(
        label="Company", max_length=120, required=False, widget=forms.TextInput(attrs={"autocomplete": "organization"})
    )
    location = forms.ChoiceField(
        label="Where", choices=Booking.Location.choices, initial=Booking.Location.STUDIO, widget=forms.RadioSelect
    )
    address = forms.CharField(
        label="Address for an on-location session",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    purpose = forms.CharField(label="What are the photos for?", max_length=300, required=False)
    people = forms.IntegerField(label="Number of people", min_value=1, max_value=50, initial=1)
    message = forms.CharField(
        label="Anything else we should know?", max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(
        self,
        *args,
        times: list[tuple[str, str]] = (),
        min_day=None,
        max_day=None,
        sessions: Sequence[SessionType] | None = None,
        questions: Sequence[IntakeQuestion] = (),
        terms: TermsDocument | None = None,
        **kwargs,
    ) -> None:
        """`sessions`: the active session types the page already has (the shared cache's), so showing
        the list asks the database nothing; what is sent is still checked against the database.
        `questions` and `terms`: the chosen session's intake questions and current terms (cached too)."""
        super().__init__(*args, **kwargs)
        self.questions, self.terms = tuple(questions), terms
        for question in self.questions:
            self.fields[intake.field_name(question)] = intake.form_field(question)
        if terms is not None:
            self.fields["accept_terms"] = forms.BooleanField(
                label="I have read and accept the terms",
                error_messages={"required": "Please read the terms and tick the box to accept them."},
            )
            # The version the page showed: accepting it only counts while it is still the current one.
            self.fields["terms_version"] = forms.CharField(required=False, widget=forms.HiddenInput)
        self.fields["start"].widget.choices = list(times)
        if sessions is not None:
            self.fields["session_type"].choices = [(s.slug, s.name) for s in sessions]
        self.min_day, self.max_day = min_day, max_day
        if min_day and max_day:
            self.fields["date"].widget.attrs.update(min=min_day.isoformat(), max=max_day.isoformat())
        for field in self.fields.values():  # Bootstrap's classes, as crispy-forms would add them
            if not isinstance(field.widget, forms.RadioSelect):
                bootstrap = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} {bootstrap}".strip()

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:  # a field with an error is drawn red (its message says why)
            widget = self.fields[name].widget if name in self.fields else None
            if widget is not None and "is-invalid" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def clean_date(self):
        day = self.cleaned_data["date"]
        if self.min_day and day < self.min_day:
            raise forms.ValidationError("That day has passed. Please choose a day from today on.")
        if self.max_day and day > self.max_day:
            raise forms.ValidationError(
                f"We take bookings up to {self.max_day:%-d %B %Y}. Please choose an earlier day."
            )
        return day

    def clean_start(self):
        start = parse_start(self.cleaned_data["start"], self.min_day, self.max_day)
        if start is None:
            raise forms.ValidationError("Please choose one of the start times shown.")
        return start

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean(self) -> dict:
        data = super().clean()
        session, location = data.get("session_type"), data.get("location")
        if session and location == Booking.Location.ON_LOCATION:
            if not session.allows_on_location:
                self.add_error("location", f"The {session.name.lower()} takes place in the studio only.")
            elif not data.get("address", "").strip():
                self.add_error("address", "Please tell us where the session should take place.")
        if session and location == Booking.Location.STUDIO and not session.allows_studio:
            self.add_error("location", f"The {session.name.lower()} takes place on location. Please give an address.")
        data["intake_answers"] = intake.answers(self.questions, data)
        if self.terms is not None and data.get("accept_terms"):
            if data.get("terms_version") != str(self.terms.pk):
                self.add_error(
                    "accept_terms",
                    "Our terms changed while you were booking. Please read the new version and tick the box again.",
                )
            data["accepted_terms"] = self.terms
        return data

    @property
    def intake_fields(self) -> list:
        """The intake questions' fields, in the questions' order, for the page to draw."""
        return [self[intake.field_name(question)] for question in self.questions]


class CancelForm(forms.Form):
    """The last step before a client cancels: an optional word for the photographer."""

    reason = forms.CharField(
        label="Anything you'd like to tell us? (optional)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
