"""A small HTML form reader: the fields a browser would post, with their current values."""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)  # name -> input type / select / textarea
    maxlength: dict[str, int] = field(default_factory=dict)

    def data(self, **overrides) -> dict[str, str]:
        values = dict(self.fields)
        values.update(overrides)
        return values


class _Reader(HTMLParser):
    def __init__(self, page_path: str):
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self._form = Form(attributes.get("action") or self.page_path,
                              (attributes.get("method") or "get").lower())
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = (attributes.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                form.kinds.setdefault(name, kind)
                if "checked" in attributes:
                    form.fields[name] = attributes.get("value") or "y"
                return
            form.fields[name] = attributes.get("value") or ""
            form.kinds[name] = kind
            if attributes.get("maxlength"):
                form.maxlength[name] = int(attributes["maxlength"])
        elif tag == "select" and name:
            self._select, self._first_option = name, None
            form.kinds[name] = "select"
        elif tag == "option" and self._select:
            value = attributes.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in attributes:
                form.fields[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            form.fields[name] = ""
            form.kinds[name] = "textarea"
            if attributes.get("maxlength"):
                form.maxlength[name] = int(attributes["maxlength"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select and self._form is not None:
            self._form.fields.setdefault(self._select, self._first_option or "")
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form.fields[self._textarea] += data


def read_forms(html: str, page_path: str) -> list[Form]:
    reader = _Reader(page_path)
    reader.feed(html)
    return reader.forms


def post_forms(html: str, page_path: str) -> list[Form]:
    """The page's POST forms, the log-out button of the layout aside."""
    return [form for form in read_forms(html, page_path)
            if form.method == "post" and form.action != "/afmelden"]
