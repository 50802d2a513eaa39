"""Form fields as HTML, the same markup as WTForms' widgets at a fraction of their cost.

A WTForms widget call costs 50-60 us (`dir()` over the field's flags, `Markup.format` per
attribute) and the Jinja macro around it as much again: the organisation form took 1.8 ms
of a 4.5 ms page. The common `<input>` widgets and a select without option groups are
written here directly, attribute for attribute as WTForms writes them
(tests/test_form_rendering.py compares both for every field of every form); any other
widget (textarea, radio list) is WTForms' own.
"""

from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.meta import clean_key

# Widgets whose __call__ is Input.__call__ plus at most the tweaks below.
_PLAIN_INPUTS = {
    widgets.TextInput, widgets.EmailInput, widgets.TelInput, widgets.SearchInput,
    widgets.DateInput, widgets.DateTimeLocalInput, widgets.HiddenInput,
    widgets.PasswordInput, widgets.CheckboxInput, widgets.SubmitInput, widgets.NumberInput,
}


def _attributes(attrs: dict) -> str:
    """wtforms.widgets.html_params: sorted, True bare, False left out, values escaped."""
    parts = []
    for key in sorted(attrs):
        value = attrs[key]
        if value is True:
            parts.append(key)
        elif value is not False:
            value = escape(value)
            if '"' in value:  # only markup passed in as safe can still hold a quote
                value = value.replace('"', "&quot;")
            parts.append(f'{key}="{value}"')
    return " ".join(parts)


def widget_html(field, **attrs) -> Markup:
    """`field(**attrs)`: the field's widget with these extra attributes."""
    widget = field.widget
    plain_select = type(widget) is widgets.Select and not field.has_groups()
    if (type(widget) not in _PLAIN_INPUTS and not plain_select) or getattr(
            field, "_datalist", None) is not None:
        return field(**attrs)
    attrs = {clean_key(key): value for key, value in attrs.items()}
    if field.render_kw:
        attrs = {**{clean_key(key): value for key, value in field.render_kw.items()}, **attrs}
    if plain_select:
        return _select_html(field, attrs)
    if isinstance(widget, widgets.NumberInput):
        for name in ("step", "min", "max"):
            if getattr(widget, name) is not None:
                attrs.setdefault(name, getattr(widget, name))
    elif isinstance(widget, widgets.CheckboxInput):
        if getattr(field, "checked", field.data):
            attrs.setdefault("checked", True)
    elif isinstance(widget, widgets.PasswordInput):
        if widget.hide_value:
            attrs["value"] = ""
    elif isinstance(widget, widgets.SubmitInput):
        attrs.setdefault("value", field.label.text)
    attrs.setdefault("id", field.id)
    attrs.setdefault("type", widget.input_type)
    if "value" not in attrs:
        attrs["value"] = field._value()  # noqa: SLF001 - the value WTForms itself renders
    for name, value in vars(field.flags).items():
        if name in widget.validation_attrs and name not in attrs:
            attrs[name] = value() if callable(value) else value
    attrs["name"] = field.name
    return Markup(f"<input {_attributes(attrs)}>")  # noqa: S704 - every value is escaped


def _select_html(field, attrs: dict) -> Markup:
    """wtforms.widgets.Select without option groups: <select> with one <option> a choice."""
    widget = field.widget
    attrs.setdefault("id", field.id)
    if widget.multiple:
        attrs["multiple"] = True
    for name, value in vars(field.flags).items():
        if name in widget.validation_attrs and name not in attrs:
            attrs[name] = value
    attrs["name"] = field.name
    options = []
    for choice in field._iter_choices_normalized():  # noqa: SLF001 - what Select iterates
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        option = {"value": value, **(choice.render_kw or {})}
        if choice.selected:
            option["selected"] = True
        options.append(f"<option {_attributes(option)}>"
                       f"{escape(choice.label or choice.value)}</option>")
    return Markup(  # noqa: S704 - every value is escaped
        f"<select {_attributes(attrs)}>{''.join(options)}</select>")


def label_html(field) -> Markup:
    """`field.label()`: <label for="id">text</label>."""
    label = field.label
    attributes = _attributes({"for": label.field_id})  # a radio list's label has no `for`
    return Markup(  # noqa: S704 - both parts are escaped
        f"<label{' ' if attributes else ''}{attributes}>{escape(label.text)}</label>"
    )


def _is_hidden(field) -> bool:
    return isinstance(field.widget, widgets.HiddenInput)


def hidden_fields_html(form) -> Markup:
    """`form.hidden_tag()`: every hidden field (the CSRF token, a version), one per line."""
    return Markup("\n").join(widget_html(field) for field in form if _is_hidden(field))


def field_html(field, hint=None) -> Markup:
    """A field with its label, hint and errors, linked for screen readers (aria-describedby).

    Checkboxes put the label after the box; radio and checkbox lists are a fieldset.
    """
    hint = hint or field.description
    hint_id, error_id = f"{field.id}-hint", f"{field.id}-fout"
    described = [name for name, present in ((hint_id, hint), (error_id, field.errors))
                 if present]
    attrs = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    if field.flags.required:
        attrs["required"] = True
    hint_html = (Markup('<p class="hint" id="{}">{}</p>').format(hint_id, hint)
                 if hint else "")
    errors_html = (Markup('<p class="error" id="{}">{}</p>').format(
        error_id, Markup("").join(Markup("{} ").format(error) for error in field.errors))
        if field.errors else "")
    error_class = " has-error" if field.errors else ""
    if field.type == "BooleanField":
        return Markup(  # noqa: S704 - built from escaped parts only
            f'<div class="field field-checkbox{error_class}">{widget_html(field, **attrs)}'
            f"{label_html(field)}{hint_html}{errors_html}</div>"
        )
    if field.type in ("RadioField", "MultiCheckboxField"):
        choices = "".join(f'<div class="choice">{widget_html(choice)} {label_html(choice)}</div>'
                          for choice in field)
        described_attr = (f' aria-describedby="{escape(attrs["aria-describedby"])}"'
                          if described else "")
        return Markup(  # noqa: S704 - built from escaped parts only (ids are ours)
            f'<fieldset class="field{error_class}"{described_attr}>'
            f"<legend>{escape(field.label.text)}</legend>{hint_html}{errors_html}{choices}"
            "</fieldset>"
        )
    return Markup(  # noqa: S704 - built from escaped parts only
        f'<div class="field{error_class}">{label_html(field)}{hint_html}{errors_html}'
        f"{widget_html(field, **attrs)}</div>"
    )


def visible_fields_html(form, fields=None) -> Markup:
    """Every field a person fills in (not hidden, not a button), or only those named."""
    return Markup("\n").join(field_html(field) for field in form if _is_visible(field, fields))


def _is_visible(field, fields) -> bool:
    input_type = getattr(field.widget, "input_type", None)
    return (input_type not in ("hidden", "submit") and field.type != "CSRFTokenField"
            and (fields is None or field.name in fields))
