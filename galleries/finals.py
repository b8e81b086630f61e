"""Which proof an edited final was made from, by its file name: `IMG_0142-edit.tif`,
`IMG_0142_final.jpg` and `2026-11-20 Bob Mensah 0142 retouched.jpg` are all of `IMG_0142.jpg`.
Pure: names in, an id out. An exact stem wins; then the stem without the editor's suffix; then the
frame number the camera gave it. Two proofs that fit equally well: none (the photographer picks)."""

import re

# What editing software and photographers add to a file's name when they export a final.
_SUFFIX = re.compile(
    r"(?:[\s_\-.]+(?:edit(?:ed)?|final|retouch(?:ed)?|re|export(?:ed)?|copy|v\d+|\(\d+\)|\d{1,2}))+$", re.IGNORECASE
)
_FRAME_NUMBER = re.compile(r"(\d{3,})(?!.*\d)")


def stem(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    return (base.rsplit(".", 1)[0] if "." in base else base).strip().casefold()


def without_suffix(name_stem: str) -> str:
    return _SUFFIX.sub("", name_stem).strip()


def frame_number(name_stem: str) -> str:
    found = _FRAME_NUMBER.search(name_stem)
    return found.group(1).lstrip("0") or "0" if found else ""


def match_proof(final_name: str, proofs: dict[int, str]) -> int | None:
    """The id of the proof (among `proofs`: id -> original file name) the final was made from."""
    stems = {pk: stem(name) for pk, name in proofs.items()}
    wanted = stem(final_name)
    for key in (lambda s: s, without_suffix):
        target = key(wanted)
        if not target:
            continue
        found = [pk for pk, s in stems.items() if key(s) == target]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            return None  # two proofs of that name: the photographer says which
    number = frame_number(without_suffix(wanted))
    if number:
        found = [pk for pk, s in stems.items() if frame_number(s) == number]
        if len(found) == 1:
            return found[0]
    return None
