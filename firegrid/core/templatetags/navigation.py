"""The menu shows what the user may open (`user|can_view:"app.Model"`) and marks the page the user is on: `{% markcurrent %}…{% endmarkcurrent %}` around the menu's links
gives the entry for the current URL `aria-current="page"` and the `active` style.

The entry is the longest link that is the current path or a folder of it (/inspections/hazards/12/ →
隐患, not 检查记录 at /inspections/); the home page matches only itself. A page under no entry (a plan's
premises file) falls back to the first entry of its URL namespace. Matched on the rendered links, so the
menu's template stays a plain list of links.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from django import template
from django.apps import apps
from django.template.base import Parser, Token
from django.template.context import Context
from django.urls import Resolver404, resolve
from django.utils.safestring import SafeString, mark_safe

from ..permissions import Action, can

register = template.Library()


@register.filter
def can_view(user: object, model_label: str) -> bool:
    """Menu: a list link only for a role that may open it (a unit liaison has no area list, a contractor no
    registry): the role table's view permission on the model, as the list view checks it."""
    return can(user, Action.VIEW, apps.get_model(model_label))  # type: ignore[arg-type]


_LINK = re.compile(r'<a\s[^>]*?href="([^"]*)"[^>]*>')
_CLASS = re.compile(r'\sclass="([^"]*)"')


def _namespace(path: str) -> str:
    try:
        return resolve(path).namespace
    except Resolver404:
        return ""


def current_entry(paths: list[str], path: str) -> str | None:
    """Which of the menu's link paths stands for `path` (None: none)."""
    best: str | None = None
    for href in paths:
        if href == path or (href != "/" and href.endswith("/") and path.startswith(href)):
            if best is None or len(href) > len(best):
                best = href
    if best is None and path != "/":
        namespace = _namespace(path)
        if namespace:
            best = next((h for h in paths if h != "/" and _namespace(h) == namespace), None)
    return best


def mark_current(menu: str, path: str) -> str:
    links = list(_LINK.finditer(menu))
    paths = [urlsplit(html.unescape(m.group(1))).path for m in links]
    best = current_entry(paths, path)
    if best is None:
        return menu
    match = links[paths.index(best)]
    tag = match.group(0)
    classes = _CLASS.search(tag)
    if classes is None:
        marked = tag[:-1] + ' class="active" aria-current="page">'
    else:
        names = " ".join(dict.fromkeys([*classes.group(1).split(), "active"]))
        marked = tag.replace(classes.group(0), f' class="{names}"', 1)[:-1] + ' aria-current="page">'
    return menu[: match.start()] + marked + menu[match.end() :]


class MarkCurrentNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: Context) -> SafeString:
        menu = self.nodelist.render(context)
        request = context.get("request")
        if request is None:
            return mark_safe(menu)  # the menu template's own output, already escaped
        return mark_safe(mark_current(menu, request.path))  # only two attributes were added to it


@register.tag("markcurrent")
def markcurrent(parser: Parser, token: Token) -> MarkCurrentNode:
    nodelist = parser.parse(("endmarkcurrent",))
    parser.delete_first_token()
    return MarkCurrentNode(nodelist)
