"""Reading the admin as a browser would: the fields a form posts back, and the links on a page."""

from html.parser import HTMLParser
from urllib.parse import parse_qs


class _FormReader(HTMLParser):
    """Collects what a browser would submit from the page's admin form (id ending in `_form`)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.data: list[tuple[str, str]] = []
        self.in_form = False
        self.select: dict | None = None
        self.textarea: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form" and a.get("id", "").endswith("_form"):
            self.in_form = True
        if not self.in_form or "disabled" in a:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("file", "submit", "button", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.append((a["name"], a.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "select" and a.get("name"):
            self.select = {"name": a["name"], "multiple": "multiple" in a, "chosen": [], "first": None}
        elif tag == "option" and self.select is not None:
            value = a.get("value", "")
            if self.select["first"] is None:
                self.select["first"] = value
            if "selected" in a:
                self.select["chosen"].append(value)
        elif tag == "textarea" and a.get("name"):
            self.textarea, self.text = a["name"], []

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.in_form:
            self.in_form = False
        elif tag == "select" and self.select is not None:
            s = self.select
            chosen = s["chosen"] or ([] if s["multiple"] or s["first"] is None else [s["first"]])
            self.data += [(s["name"], value) for value in chosen]
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            # A browser drops the one newline that follows <textarea>.
            self.data.append((self.textarea, "".join(self.text).removeprefix("\n")))
            self.textarea = None


def form_data(html: str) -> dict[str, str | list[str]]:
    """The admin form's fields as the browser would post them back unchanged."""
    reader = _FormReader()
    reader.feed(html)
    data: dict[str, str | list[str]] = {}
    for name, value in reader.data:
        if name in data:
            existing = data[name]
            data[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            data[name] = value
    return data


class _LinkReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith("?"):
                self.hrefs.append(href)


def query_links(html: str) -> list[str]:
    """The `href="?..."` links of a changelist, one of each kind: each filter, each step of the
    date drill-down, a sort by each column, each page. Links that differ only in a filter's value
    (`?status__exact=sent`, `?status__exact=failed`) run the same code, so one of them is kept."""
    reader = _LinkReader()
    reader.feed(html)
    kinds: dict[tuple, str] = {}
    for href in reader.hrefs:
        query = parse_qs(href[1:], keep_blank_values=True)
        sort = tuple(abs(int(n)) for n in query.get("o", [""])[0].split(".") if n.lstrip("-").isdigit())
        kinds.setdefault((frozenset(query) - {"o"}, sort[:1]), href)
    return list(kinds.values())
