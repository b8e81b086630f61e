"""Which proofs the compare page shows: two to four of the gallery's, named by their keys in the
address, in the order the client picked them. Anything else is refused with a plain reason."""

from django.db.models import QuerySet

FEWEST, MOST = 2, 4


class CannotCompare(Exception):
    """The frames asked for can't be compared; `str(exc)` says why, `status` is the HTTP answer."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def frames_to_compare(proofs: QuerySet, keys: list[str]) -> list:
    """The proofs named by `keys` (repeats counted once), or CannotCompare: fewer than FEWEST or
    more than MOST, or a key that is not one of `proofs` (a photo of another gallery included:
    404, as its own address would be)."""
    wanted = list(dict.fromkeys(keys))
    if len(wanted) < FEWEST:
        raise CannotCompare(f"Tick at least {FEWEST} frames to compare them side by side.")
    if len(wanted) > MOST:
        raise CannotCompare(f"You can compare up to {MOST} frames at a time; you ticked {len(wanted)}.")
    found = {}
    if all(_looks_like_a_key(key) for key in wanted):
        found = {photo.key: photo for photo in proofs.filter(key__in=wanted)}
    if len(found) != len(wanted):
        raise CannotCompare("One of these frames is not in this gallery.", status=404)
    return [found[key] for key in wanted]


def _looks_like_a_key(value: str) -> bool:
    """A photo's key is 32 hex digits (models.new_photo_key): anything else never reaches the database."""
    return len(value) == 32 and all(c in "0123456789abcdef" for c in value)
