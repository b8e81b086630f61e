"""The "which do I need?" guide: a few plain answers in, a recommendation with its reasons out.

Pure rules, no database: the view looks up the session type of the recommended kind.
"""

from dataclasses import dataclass, field
from enum import StrEnum


class Purpose(StrEnum):
    PROFILE = "profile"  # LinkedIn, the company's "About us" page
    PRESS = "press"  # press releases, speaking engagements
    BRAND = "brand"  # a website, a brand story, showing how it is to work with you
    EVERYTHING = "everything"  # a bit of all of the above


class ShowWork(StrEnum):
    YES = "yes"
    NO = "no"


class Place(StrEnum):
    STUDIO = "studio"
    WORKPLACE = "workplace"
    NO_PREFERENCE = "any"


class People(StrEnum):
    ONE = "1"
    FEW = "2-5"
    MANY = "6+"


class Kind(StrEnum):
    # The same values as SessionType.Kind.
    HEADSHOT = "headshot"
    PORTRAIT = "portrait"
    BOTH = "both"


@dataclass(frozen=True)
class Recommendation:
    kind: Kind
    reasons: list[str] = field(default_factory=list)


def recommend(purpose: Purpose, show_work: ShowWork, place: Place, people: People) -> Recommendation:
    kind, reasons = _kind_for(purpose, show_work)
    reasons += _where(kind, place)
    reasons += _how_many(kind, people)
    return Recommendation(kind=kind, reasons=reasons)


def _kind_for(purpose: Purpose, show_work: ShowWork) -> tuple[Kind, list[str]]:
    if purpose is Purpose.EVERYTHING:
        return Kind.BOTH, [
            "You need photos for several jobs at once: a headshot for your profiles and portraits "
            "for your website and brand. One combined session covers all of it."
        ]
    if purpose is Purpose.BRAND:
        return Kind.PORTRAIT, [
            "Photos for a website or a brand story should say something about you and your work, "
            "which is what a portrait session is for: more than head and shoulders, with context."
        ]
    first = (
        "A profile photo for LinkedIn or your company's About us page is a headshot: "
        "shoulders up, a clean background, looking straight at the camera."
        if purpose is Purpose.PROFILE
        else "Press releases and event programmes need a clear, professional headshot "
        "that prints well small and still looks like you."
    )
    if show_work is ShowWork.YES:
        return Kind.BOTH, [
            first,
            "You also want to show where and how you work. That story is told by portraits, "
            "so a combined session gives you both.",
        ]
    return Kind.HEADSHOT, [first]


def _where(kind: Kind, place: Place) -> list[str]:
    if place is Place.WORKPLACE:
        if kind is Kind.HEADSHOT:
            return [
                "We can bring a backdrop and lights to your workplace, so the headshot looks the same as in the studio."
            ]
        return ["Portraits at your workplace show your real surroundings: your office, your tools, your team."]
    if place is Place.STUDIO:
        if kind is Kind.HEADSHOT:
            return ["The studio gives the cleanest result: controlled light and a plain background."]
        return ["In the studio we can still tell your story, with props and set-ups that suit your work."]
    return []


def _how_many(kind: Kind, people: People) -> list[str]:
    if people is People.ONE:
        return []
    if kind is Kind.HEADSHOT:
        reason = (
            "For a team we photograph each person in turn with the same light and background, "
            "so the team page looks consistent."
        )
    else:
        reason = "For a team we plan individual and group pictures, so the whole team appears in the story."
    if people is People.MANY:
        reason += " With six or more people, coming to you usually saves everyone time."
    return [reason]
