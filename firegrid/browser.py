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
