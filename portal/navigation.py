"""Registries that let each blueprint add its menu items, dashboard tasks and dashboard cards.

Menu items live in one of three areas: "main" (the tasks of members: organisation, contact
persons, newsletters), "account" (under the person's name: my data, password, security) and
"staff" (the back office, in its own bar). A back-office page (blueprint `staff`, or a view
named `staff_*`) goes to the staff area unless told otherwise.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, g, request, url_for
from markupsafe import Markup

MENU_AREAS = ("main", "account", "staff")


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str  # a lazy_gettext string
    is_visible: Callable  # (user) -> bool
    order: int = 50
    area: str = "main"


@dataclass(frozen=True)
class DashboardPanel:
    render: Callable  # (user) -> Markup | None
    order: int = 50


NAV_ITEMS: list[NavItem] = []
DASHBOARD_PANELS: list[DashboardPanel] = []  # the cards below the tasks
DASHBOARD_TASKS: list[DashboardPanel] = []  # what the person still has to do, shown first


def _default_area(endpoint: str) -> str:
    blueprint, _dot, view = endpoint.rpartition(".")
    return "staff" if blueprint == "staff" or view.startswith("staff_") else "main"


def add_nav_item(endpoint: str, label, is_visible: Callable, order: int = 50,
                 area: str | None = None) -> None:
    area = area or _default_area(endpoint)
    if area not in MENU_AREAS:
        raise ValueError(f"unknown menu area {area!r}")
    if not any(item.endpoint == endpoint for item in NAV_ITEMS):
        NAV_ITEMS.append(NavItem(endpoint, label, is_visible, order, area))
        NAV_ITEMS.sort(key=lambda item: item.order)


def _register(registry: list[DashboardPanel], render: Callable, order: int) -> None:
    if not any(panel.render is render for panel in registry):
        registry.append(DashboardPanel(render, order))
        registry.sort(key=lambda panel: panel.order)


def add_dashboard_panel(render: Callable, order: int = 50) -> None:
    """A card of the dashboard: what the person can look at or change at any time."""
    _register(DASHBOARD_PANELS, render, order)


def add_dashboard_task(render: Callable, order: int = 50) -> None:
    """An open task on top of the dashboard (render returns None when there is none)."""
    _register(DASHBOARD_TASKS, render, order)


def nav_items_for(user, area: str | None = None) -> list[NavItem]:
    """The menu items this user may see, of one area or of all."""
    if not user or not user.is_authenticated:  # no user outside a request (mails, CLI)
        return []
    return [item for item in NAV_ITEMS
            if (area is None or item.area == area) and item.is_visible(user)]


def menus_for(user) -> dict[str, list[NavItem]]:
    """The items of every menu area, for the layout."""
    items = nav_items_for(user)
    return {area: [item for item in items if item.area == area] for area in MENU_AREAS}


def render_panel(template_name: str, **context) -> Markup:
    """A dashboard panel: its (autoescaped) template with the page's template context.

    That context (context processors: user, menu, request) is built once per request;
    render_template built it again for each of the five panels.
    """
    base = g.get("panel_context")
    if base is None:
        base = g.panel_context = {}
        current_app.update_template_context(base)
    template = current_app.jinja_env.get_template(template_name)
    return Markup(template.render({**base, **context}))  # noqa: S704 - autoescaped output


def dashboard_panels_for(user) -> list[Markup]:
    rendered = (panel.render(user) for panel in DASHBOARD_PANELS)
    return [html for html in rendered if html]


def dashboard_tasks_for(user) -> list[Markup]:
    rendered = (task.render(user) for task in DASHBOARD_TASKS)
    return [html for html in rendered if html]


_PAGE_URLS: dict[tuple[str, str, str], str] = {}


def page_url(endpoint: str, filename: str = "") -> str:
    """url_for of a page without parameters (or a static file), built once per process.

    The layout links to the same ten pages on every request; url_for costs 20-40 us each.
    Keyed by the script root too, in case a proxy mounts the portal under a prefix.
    """
    key = (request.script_root, endpoint, filename)
    url = _PAGE_URLS.get(key)
    if url is None:
        url = _PAGE_URLS[key] = (url_for(endpoint, filename=filename) if filename
                                 else url_for(endpoint))
    return url


@functools.lru_cache(maxsize=256)
def _url_around_id(script_root: str, endpoint: str, parameter: str) -> tuple[str, str]:
    marker = 987654321
    head, tail = url_for(endpoint, **{parameter: marker}).split(str(marker))
    return head, tail


def row_url(endpoint: str, **values) -> str:
    """url_for(endpoint, <one int parameter>) for the rows of a long table.

    url_for costs 20-50 us; three links on 50 rows were a quarter of the roster. The path
    around the id is built once per endpoint; the id goes in as an int, and the result is a
    plain string that autoescaping escapes like any other value.
    """
    ((parameter, value),) = values.items()
    head, tail = _url_around_id(request.script_root, endpoint, parameter)
    return f"{head}{int(value)}{tail}"
