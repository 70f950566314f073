"""The registry through which each app contributes its panel to "my space".

An app registers its panels in `AppConfig.ready()`:

    register_panel(Panel(key="applications", title=_("My applications"),
                         template="applications/panel.html", order=10, context=my_panel_context))

`context(request)` returns the template's context, or None when the panel has nothing to say to
this user (for example a donor panel for someone who is not a donor). "My space" renders
`panels_for(request)` in order.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    template: str
    context: Callable
    order: int = 100


@dataclass(frozen=True)
class RenderedPanel:
    key: str
    title: str
    html: str


_registry: dict[str, Panel] = {}


def register_panel(panel: Panel) -> None:
    _registry[panel.key] = panel


def registered_panels() -> list[Panel]:
    return sorted(_registry.values(), key=lambda p: (p.order, p.key))


def panels_for(request) -> list[RenderedPanel]:
    rendered = []
    for panel in registered_panels():
        context = panel.context(request)
        if context is None:
            continue
        html = render_to_string(panel.template, {"panel": panel, **context}, request=request)
        rendered.append(RenderedPanel(key=panel.key, title=str(panel.title), html=html))
    return rendered
