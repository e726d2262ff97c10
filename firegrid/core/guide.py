"""The user guide (帮助): one page per role in firegrid/data/guide/<role>.<zh|en>.md
(package data: an installed Firegrid carries its guide), illustrated with the screenshots
the browser tests take (copied into static/guide/ by `make guide`, scripts/guide.py).

The markdown is ours, but it is rendered by a deliberately small renderer rather than a markdown package:
headings, paragraphs, numbered and bullet lists, bold and image-only lines. Everything else is escaped, so
no HTML written in a guide page reaches the browser, and an image can only name a PNG in static/guide/."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.templatetags.static import static
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

GUIDE_DIR = Path(settings.PACKAGE_DIR) / "data" / "guide"
STATIC_DIR = Path(settings.PACKAGE_DIR) / "static" / "guide"
LANGUAGES = ("zh", "en")
# The guide pages, in the order the help page lists them.
GUIDES = ("grid-worker", "officer", "commander", "liaison", "landlord")

IMAGE_LINE = re.compile(r"^!\[([^\]]*)\]\(([a-z0-9][a-z0-9-]*\.png)\)$")
HEADING = re.compile(r"^(#{1,3}) (.+)$")
NUMBERED = re.compile(r"^\d+\. (.+)$")
BULLET = re.compile(r"^[-*] (.+)$")
BOLD = re.compile(r"\*\*(.+?)\*\*")


@dataclass(frozen=True)
class Guide:
    slug: str
    title: str
    html: SafeString


def guide_language() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh"


def source(slug: str, language: str) -> Path:
    return GUIDE_DIR / f"{slug}.{language}.md"


def referenced_images(text: str) -> list[str]:
    """The file names of static/guide/ that a guide page shows, in order."""
    return [m.group(2) for line in text.splitlines() if (m := IMAGE_LINE.match(line.strip()))]


def _inline(text: str) -> str:
    # Escape first: the bold markers survive escaping, and nothing else becomes markup.
    return BOLD.sub(r"<strong>\1</strong>", escape(text))


def render(text: str) -> SafeString:
    """Our small markdown subset as HTML; anything outside it is shown as text."""
    out: list[str] = []
    paragraph: list[str] = []
    list_tag: str | None = None

    def flush() -> None:
        nonlocal list_tag
        if paragraph:
            out.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if list_tag:
            out.append(f"</{list_tag}>")
            list_tag = None

    def item(tag: str, text: str) -> None:
        nonlocal list_tag
        if paragraph or list_tag != tag:
            flush()
            out.append(f"<{tag}>")
            list_tag = tag
        out.append(f"<li>{_inline(text)}</li>")

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif m := HEADING.match(line):
            flush()
            level = len(m.group(1))
            out.append(f"<h{level}>{_inline(m.group(2))}</h{level}>")
        elif m := IMAGE_LINE.match(line):
            flush()
            src = escape(static(f"guide/{m.group(2)}"))
            # A phone screenshot is shown at phone size, framed, so it does not pass for the page itself.
            kind = "guide-shot phone" if m.group(2).endswith("-phone.png") else "guide-shot"
            out.append(
                f'<figure class="{kind}"><img src="{src}" alt="{escape(m.group(1))}" loading="lazy"></figure>'
            )
        elif m := NUMBERED.match(line):
            item("ol", m.group(1))
        elif m := BULLET.match(line):
            item("ul", m.group(1))
        else:
            if list_tag:
                flush()
            paragraph.append(line)
    flush()
    # Safe: every piece of text above went through escape().
    return mark_safe("\n".join(out))


def load(slug: str, language: str | None = None) -> Guide | None:
    """A guide page in the reader's language (or `language`); None for a slug that is not a guide."""
    if slug not in GUIDES:
        return None
    text = source(slug, language or guide_language()).read_text(encoding="utf-8")
    return Guide(slug=slug, title=_title(text, slug), html=render(text))


def _title(text: str, slug: str) -> str:
    """A guide page's title is its first line, a heading."""
    m = HEADING.match(text.lstrip().split("\n", 1)[0].strip())
    return m.group(2) if m else slug


def titles() -> list[tuple[str, str]]:
    """(slug, title) of every guide page in the reader's language."""
    language = guide_language()
    return [(slug, _title(source(slug, language).read_text(encoding="utf-8"), slug)) for slug in GUIDES]
