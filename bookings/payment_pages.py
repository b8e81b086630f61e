"""The page around a payment provider's step, for whatever is paid (a deposit, extra photos)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .models import Payment
from .paying import ProviderStep


def provider_page(
    request: HttpRequest, payment: Payment, step: ProviderStep, context: Callable[[], dict]
) -> HttpResponse:
    """Stripe's own checkout once the client presses pay; else this site's page around the
    provider's form (the dummy provider's), with what is paid and the way back (`context()`, worked
    out only for this page). A form sent back to it is one the provider did not take: a 400."""
    if step.redirect_url and request.method == "POST":
        return redirect(step.redirect_url)
    context = {"payment": payment, "form": step.form, "on_provider_page": bool(step.redirect_url), **context()}
    return render(request, "bookings/pay.html", context, status=400 if request.method == "POST" else 200)
