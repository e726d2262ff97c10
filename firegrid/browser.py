"""Headless Chromium for end-to-end tests: Debian's build at /usr/bin/chromium driven by Playwright.

Playwright's own browser download does not work on our machines, so we point it at the system
Chromium. When it is missing the browser tests are skipped with a loud message — except under CI=true,
where they are required.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

ARTIFACTS = Path(
    os.environ.get("FIREGRID_TEST_ARTIFACTS", Path(__file__).resolve().parent.parent / "test-artifacts")
)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("FIREGRID_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def reopen_offline(page, url: str):
    """The page is lost while the network is cut (reloaded, or dropped by the phone's browser) and opened
    again: it is closed, and a new page of the same browser (same storage, still offline) fails to load
    `url`. Returns the new page.

    Not page.reload(): while Chromium swaps a reloading page for its error page it lifts the offline
    emulation for a moment, and a timer of the old page firing then reaches the server (CI saw an
    autosave arrive that way) — which a phone that really has no signal never does."""
    context = page.context
    page.close()
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(url)
    except Exception as error:  # Playwright's Error: the browser's own error page
        if "ERR_INTERNET_DISCONNECTED" not in str(error):
            raise
    else:
        raise AssertionError(f"{url} loaded although the network is cut")
    return page
