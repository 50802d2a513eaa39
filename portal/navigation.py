"""Registries that let each blueprint add its menu items and dashboard panels."""

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str  # a lazy_gettext string
    is_visible: Callable  # (user) -> bool
    order: int = 50


@dataclass(frozen=True)
class DashboardPanel:
    render: Callable  # (user) -> Markup | None
    order: int = 50


NAV_ITEMS: list[NavItem] = []
DASHBOARD_PANELS: list[DashboardPanel] = []


def add_nav_item(endpoint: str, label, is_visible: Callable, order: int = 50) -> None:
    if not any(item.endpoint == endpoint for item in NAV_ITEMS):
        NAV_ITEMS.append(NavItem(endpoint, label, is_visible, order))
        NAV_ITEMS.sort(key=lambda item: item.order)


def add_dashboard_panel(render: Callable, order: int = 50) -> None:
    if not any(panel.render is render for panel in DASHBOARD_PANELS):
        DASHBOARD_PANELS.append(DashboardPanel(render, order))
        DASHBOARD_PANELS.sort(key=lambda panel: panel.order)


def nav_items_for(user) -> list[NavItem]:
    if not user or not user.is_authenticated:  # no user outside a request (mails, CLI)
        return []
    return [item for item in NAV_ITEMS if item.is_visible(user)]


def dashboard_panels_for(user) -> list[Markup]:
    rendered = (panel.render(user) for panel in DASHBOARD_PANELS)
    return [html for html in rendered if html]
