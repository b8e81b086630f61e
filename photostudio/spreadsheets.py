"""Text that people typed, written into a CSV a photographer opens in a spreadsheet."""


def inert_cell(value: str) -> str:
    """A cell a spreadsheet shows as text and never runs as a formula: one starting = + - @ (or a
    tab or carriage return, which some spreadsheets skip before reading one) gets a leading quote."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
