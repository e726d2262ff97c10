"""The user guide cannot rot silently: every page exists in both languages, every image it shows is in
static/guide/ and is one `make guide` knows how to retake; the renderer lets no HTML through."""

from __future__ import annotations

import importlib.util

from django.conf import settings
from django.contrib.staticfiles import finders

from firegrid.core import guide


def guide_script():
    path = settings.BASE_DIR / "scripts" / "guide.py"
    spec = importlib.util.spec_from_file_location("guide_script", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_guide_page_exists_in_both_languages_with_its_images():
    sources = guide_script().SOURCES
    pages = sorted(guide.GUIDE_DIR.glob("*.md"))
    assert {p.name for p in pages} == {f"{s}.{lang}.md" for s in guide.GUIDES for lang in guide.LANGUAGES}
    for page in pages:
        images = guide.referenced_images(page.read_text(encoding="utf-8"))
        assert images, f"{page.name} shows no screenshot"
        for name in images:
            assert finders.find(f"guide/{name}"), f"{page.name}: static/guide/{name} is missing (make guide)"
            assert name in sources, f"{page.name}: no browser test in scripts/guide.py takes {name}"
            assert (guide.STATIC_DIR / name).stat().st_size < 200_000, name
    # Both languages show the same screenshots, in the same order.
    for slug in guide.GUIDES:
        zh, en = (guide.referenced_images(guide.source(slug, lang).read_text()) for lang in guide.LANGUAGES)
        assert zh == en, slug


def test_the_renderer_keeps_to_its_subset_and_escapes_the_rest():
    html = guide.render(
        "# 标题 <b>\n\n段落 **重点** <script>alert(1)</script>\n\n1. 第一步\n2. 第二步\n\n- 一点\n\n"
        "![截图](home-phone.png)\n\n![外站](https://evil.example/x.png)\n\n<img src=x onerror=alert(1)>"
    )
    assert "<h1>标题 &lt;b&gt;</h1>" in html
    assert "<p>段落 <strong>重点</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>" in html
    assert "<ol>\n<li>第一步</li>\n<li>第二步</li>\n</ol>" in html
    assert "<ul>\n<li>一点</li>\n</ul>" in html
    assert f'<img src="{settings.STATIC_URL}guide/home-phone.png" alt="截图"' in html
    # An image outside static/guide/ and raw HTML are shown as text.
    assert "evil.example" not in html.replace("![外站](https://evil.example/x.png)", "")
    assert "<p>![外站](https://evil.example/x.png)</p>" in html
    assert "<script" not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
