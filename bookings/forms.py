from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from . import guide
from .models import ContactMessage


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

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_action = "#recommendation"
        self.helper.add_input(Submit("", "Show my recommendation", css_class="btn-dark"))

    def recommendation(self) -> guide.Recommendation:
        d = self.cleaned_data
        return guide.recommend(
            guide.Purpose(d["purpose"]),
            guide.ShowWork(d["show_work"]),
            guide.Place(d["place"]),
            guide.People(d["people"]),
        )


class ContactForm(forms.ModelForm):
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
