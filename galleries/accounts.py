"""Client sign-in for the portal: no passwords, links sent by email (django-sesame).

A link is checked here, outside Django's authenticate(): that function reports every miss as a failed
sign-in (the `user_login_failed` signal), which django-axes counts against the visitor's address,
and it was called once per scope, so a valid link from a studio email counted as one failure and a
forged one as two. Links have their own per-address limit in the view instead; axes only sees
passwords (the admin).
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from sesame.backends import ModelBackend as SesameBackend
from sesame.utils import get_token

from bookings.models import Client

SCOPE_REQUESTED = "portal:requested"  # asked for on the sign-in page: lives minutes
SCOPE_EMAILED = "portal:emailed"  # inside the studio's emails: lives days


def ensure_user(client: Client):
    """The client's portal account, made on first need. It has no usable password."""
    if client.user_id:
        return client.user
    User = get_user_model()
    try:
        with transaction.atomic():
            user = User(username=f"client-{client.pk}", email=client.email, first_name=client.name[:150])
            user.set_unusable_password()
            user.save()
    except IntegrityError:
        user = User.objects.get(username=f"client-{client.pk}")
    Client.objects.filter(pk=client.pk, user__isnull=True).update(user=user)
    client.user = user
    return user


def sign_in_url(client: Client, *, next_url: str = "/portal/", scope: str = SCOPE_EMAILED) -> str:
    user = ensure_user(client)
    query = urlencode({"sesame": get_token(user, scope=scope), "next": next_url})
    return f"{settings.SITE_URL}{reverse('portal:link')}?{query}"


def user_for_link(token: str):
    """The user a sign-in link's token is for, or None if it is forged, expired or signed out.

    Reading a token changes nothing: a link works as often as it is opened until it expires or its
    client signs out everywhere, so a mail scanner opening it first leaves it usable.
    """
    if not token or len(token) > 200:
        return None
    backend = SesameBackend()
    minutes = settings.PORTAL_LOGIN_LINK_MINUTES
    return backend.authenticate(None, sesame=token, scope=SCOPE_REQUESTED, max_age=minutes * 60) or (
        backend.authenticate(None, sesame=token, scope=SCOPE_EMAILED)
    )


def client_for(user) -> Client | None:
    if not user.is_authenticated:
        return None
    return Client.objects.filter(user=user).first()


def sign_out_everywhere(user) -> None:
    """A new (unusable) password hash ends every session and voids every link already sent."""
    user.set_unusable_password()
    user.save(update_fields=["password"])
