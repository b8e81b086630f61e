"""Operations that change the studio's data, each in one transaction."""

from django.conf import settings
from django.db import transaction

from photostudio.outbox import queue_email

from .models import ContactMessage


@transaction.atomic
def receive_contact_message(*, name: str, email: str, phone: str, message: str) -> ContactMessage:
    contact = ContactMessage.objects.create(name=name, email=email, phone=phone, message=message)
    queue_email(
        "contact_message", to=settings.STUDIO_EMAIL, reply_to=email, context={"contact": contact}, about=contact
    )
    return contact
