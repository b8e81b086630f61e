"""What a client's per-photo orders cost: crops and retouching, summed. Pure: no models, only money."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class PhotoOrders:
    """One chosen photo's orders: its crops and its retouching, each (name, price)."""

    file_name: str
    crops: tuple[tuple[str, Decimal], ...] = ()
    retouch: tuple[str, Decimal] | None = None
    photo_id: int | None = field(default=None, compare=False)

    @property
    def total(self) -> Decimal:
        return photo_total(self.crops, self.retouch)

    @property
    def crop_names(self) -> str:
        return ", ".join(name for name, _ in self.crops)

    @property
    def retouch_name(self) -> str:
        return self.retouch[0] if self.retouch else ""

    @property
    def summary(self) -> str:
        """The orders in a line: "LinkedIn 1:1, Profile 4:5; Polished retouching"."""
        parts = [self.crop_names] if self.crops else []
        if self.retouch:
            parts.append(f"{self.retouch[0]} retouching")
        return "; ".join(parts)


def photo_total(crops: Iterable[tuple[str, Decimal]], retouch: tuple[str, Decimal] | None) -> Decimal:
    return sum((price for _, price in crops), Decimal(0)) + (retouch[1] if retouch else Decimal(0))


def orders_total(orders: Iterable[PhotoOrders]) -> Decimal:
    """The whole selection's orders, to the penny."""
    return sum((o.total for o in orders), Decimal(0)).quantize(Decimal("0.01"))
