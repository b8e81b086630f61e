from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from . import services
from .forms import ContactForm, GuideForm
from .models import SessionType


@require_GET
def session_type(request: HttpRequest, slug: str) -> HttpResponse:
    session = get_object_or_404(SessionType.objects.filter(is_active=True).prefetch_related("photos"), slug=slug)
    others = SessionType.objects.filter(is_active=True).exclude(pk=session.pk)
    return render(request, "bookings/session_type.html", {"session": session, "others": others})


@require_GET
def guide(request: HttpRequest) -> HttpResponse:
    answered = bool(request.GET)
    form = GuideForm(request.GET if answered else None)
    recommendation = session = None
    if answered and form.is_valid():
        recommendation = form.recommendation()
        session = SessionType.objects.filter(is_active=True, kind=recommendation.kind).first()
    return render(request, "bookings/guide.html", {"form": form, "recommendation": recommendation, "session": session})


@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.receive_contact_message(**form.cleaned_data)
        return redirect("contact_thanks")
    return render(request, "bookings/contact.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
def contact_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "bookings/contact_thanks.html")
