"""Reading a gallery's per-photo orders (crops and retouching) and what they cost."""

from decimal import Decimal

from django.db.models import Prefetch

from .models import CropOrder, Gallery, Photo
from .order_totals import PhotoOrders, orders_total


def orders_of(photos) -> dict[int, PhotoOrders]:
    """Each photo's orders by its id, for the photos given (a queryset or a list), in two queries;
    photos without orders are left out."""
    ids = [p.pk for p in photos]
    rows = (
        Photo.objects.filter(pk__in=ids)
        .select_related("retouch_order__level")
        .prefetch_related(Prefetch("crop_orders", queryset=CropOrder.objects.select_related("option")))
        .order_by()
    )
    found = {}
    for photo in rows:
        crops = tuple((c.option.name, c.price) for c in photo.crop_orders.all())
        retouch_order = getattr(photo, "retouch_order", None)
        retouch = (retouch_order.level.name, retouch_order.price) if retouch_order else None
        if crops or retouch:
            found[photo.pk] = PhotoOrders(photo.original_name, crops, retouch, photo_id=photo.pk)
    return found


def chosen_orders(gallery: Gallery) -> dict[int, PhotoOrders]:
    """The orders of the client's favourite photos (orders of a photo no longer chosen don't count)."""
    return orders_of(Photo.objects.filter(gallery=gallery, favourite__isnull=False, is_final=False))


def orders_price(gallery: Gallery) -> Decimal:
    return orders_total(chosen_orders(gallery).values())


def with_orders(photos) -> list:
    """The photos, each given `orders` (its PhotoOrders, or None) for templates and emails to list."""
    photos = list(photos)
    found = orders_of(photos)
    for photo in photos:
        photo.orders = found.get(photo.pk)
    return photos


def orders_total_of(photos) -> Decimal:
    """What the orders of photos read `with_orders` cost in all."""
    return orders_total(p.orders for p in photos if p.orders)
