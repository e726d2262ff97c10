"""make guide: retake the user guide's screenshots and copy them, shrunk, into firegrid/static/guide/.

The images are the ones firegrid/data/guide/*.md reference. Each is taken by a browser test (SOURCES below names
the test file that saves it); the script runs those tests with FIREGRID_TEST_ARTIFACTS pointed at a temp
directory, then shrinks each referenced image (top of the page only, ≤ 1000 px wide, 256 colours) into
static/guide/. It fails loudly when a referenced image has no test here, was not produced, or a test failed.

    python scripts/guide.py                 # run the tests, then copy
    python scripts/guide.py --from DIR      # copy from screenshots already in DIR (e.g. test-artifacts)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "firegrid" / "data" / "guide"
STATIC = ROOT / "firegrid" / "static" / "guide"
MAX_WIDTH = 1000
# A full-page phone screenshot can be 4,000 px tall; the guide shows its first screens.
MAX_HEIGHT_RATIO = 2.6
MAX_BYTES = 200_000

# The browser test file that saves each screenshot the guide may use.
SOURCES = {
    "home-phone.png": "firegrid/registry/tests/test_browser.py",
    "premises-list-phone.png": "firegrid/registry/tests/test_browser.py",
    "premises-edit-phone.png": "firegrid/registry/tests/test_browser.py",
    "list-phone-filters.png": "firegrid/registry/tests/test_phone_lists_browser.py",
    "inspection-start-phone.png": "firegrid/inspections/tests/test_browser.py",
    "inspection-checklist-phone.png": "firegrid/inspections/tests/test_browser.py",
    "premises-hazards-phone.png": "firegrid/inspections/tests/test_browser.py",
    "checklist-pass-rest-phone.png": "firegrid/inspections/tests/test_checklist_browser.py",
    "checklist-review-phone.png": "firegrid/inspections/tests/test_checklist_browser.py",
    "queue-phone.png": "firegrid/longterm/tests/test_browser.py",
    "hazard-list-1440.png": "firegrid/rectification/tests/test_drafting_browser.py",
    "plan-drafted-1440.png": "firegrid/rectification/tests/test_drafting_browser.py",
    "plan-notice-issued-1440.png": "firegrid/rectification/tests/test_drafting_browser.py",
    "plan-list-today-first.png": "firegrid/rectification/tests/test_today_first_browser.py",
    "premises-list-desktop.png": "firegrid/registry/tests/test_browser.py",
    "home-commander-desktop.png": "firegrid/pages/tests/test_home_browser.py",
    "command-screen-1920.png": "firegrid/dashboards/tests/test_screen_browser.py",
    "dashboard-campaign-phone.png": "firegrid/dashboards/tests/test_phone.py",
    "report-phone-commander.png": "firegrid/reports/tests/test_phone_browser.py",
    "report-phone-liaison.png": "firegrid/reports/tests/test_phone_browser.py",
    "unit-ranking-phone-liaison.png": "firegrid/reports/tests/test_phone_browser.py",
    "report-desktop-liaison.png": "firegrid/reports/tests/test_phone_browser.py",
    "campaign-unit-rank-phone.png": "firegrid/campaigns/tests/test_browser.py",
    "portal-login-code-sent-phone.png": "firegrid/portal/tests/test_browser.py",
    "portal-home-phone.png": "firegrid/portal/tests/test_browser.py",
    "portal-plan-notified-phone.png": "firegrid/portal/tests/test_browser_plans.py",
    "portal-plan-proof-uploaded-phone.png": "firegrid/portal/tests/test_browser_plans.py",
    "portal-plan-recheck-requested-phone.png": "firegrid/portal/tests/test_browser_plans.py",
    "portal-premises-phone.png": "firegrid/portal/tests/test_browser_premises.py",
    "portal-premises-elder-phone.png": "firegrid/portal/tests/test_browser_premises.py",
}


def referenced() -> list[str]:
    """Every image the guide pages show (firegrid/core/guide.py reads the same lines)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firegrid.settings")
    os.environ.setdefault("FIREGRID_DEV", "true")
    import django

    django.setup()
    from firegrid.core.guide import referenced_images

    names: set[str] = set()
    for page in sorted(GUIDE.glob("*.md")):
        names.update(referenced_images(page.read_text(encoding="utf-8")))
    return sorted(names)


def take(names: list[str], into: Path) -> None:
    missing = [n for n in names if n not in SOURCES]
    if missing:
        sys.exit(f"guide: no browser test is known to take {', '.join(missing)} (add it to SOURCES)")
    env = {**os.environ, "FIREGRID_TEST_ARTIFACTS": str(into), "FIREGRID_DEV": "true"}
    failed = []
    # One process per test file: a live-server test that fails at teardown cannot spoil the next file's set-up.
    for test in sorted({SOURCES[n] for n in names}):
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "browser", test]
        print("guide:", test, flush=True)
        if subprocess.run(command, cwd=ROOT, env=env, check=False).returncode:
            failed.append(test)
    if failed:
        # A screenshot from a failing test may show the failure: the guide keeps its old images.
        sys.exit(f"guide: browser tests failed in {', '.join(failed)}; static/guide/ left as it was")


def shrink(source: Path, target: Path) -> None:
    image = Image.open(source).convert("RGB")
    width, height = image.size
    image = image.crop((0, 0, width, min(height, int(width * MAX_HEIGHT_RATIO))))
    if width > MAX_WIDTH:
        image = image.resize((MAX_WIDTH, round(image.height * MAX_WIDTH / width)), Image.Resampling.LANCZOS)
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
    if target.stat().st_size > MAX_BYTES:
        sys.exit(f"guide: {target.name} is {target.stat().st_size} bytes, over {MAX_BYTES}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--from", dest="source", type=Path, help="take no screenshots; copy them from here")
    args = parser.parse_args()
    names = referenced()
    with tempfile.TemporaryDirectory(prefix="firegrid-guide-") as temp:
        source = args.source or Path(temp)
        if args.source is None:
            take(names, source)
        absent = [n for n in names if not (source / n).exists()]
        if absent:
            sys.exit(f"guide: not produced in {source}: {', '.join(absent)}")
        STATIC.mkdir(parents=True, exist_ok=True)
        for name in names:
            shrink(source / name, STATIC / name)
            print(f"guide: {name} ({(STATIC / name).stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
