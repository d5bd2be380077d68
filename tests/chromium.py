"""Debian's Chromium, driven by Playwright, for the browser tests (test_browser.py,
test_site.py). Never `playwright install`: the system browser is used. Without it the
tests skip, except under CI (CI=true), where they fail."""

import contextlib
import os
import secrets
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
# Only localhost traffic: no update checks, no sync, no component downloads.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--disable-dev-shm-usage"]
VIEWPORT = {"width": 1400, "height": 900}
INSTALL = ("install the browser with `apt-get install chromium` (Debian/Ubuntu) and the "
           "driver with `pip install playwright` (never `playwright install`: the tests use "
           "/usr/bin/chromium)")


def missing(what, advice=INSTALL):
    """Skip the test for want of `what`; under CI, fail it."""
    message = f"{what}. {advice[0].upper()}{advice[1:]}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@contextlib.contextmanager
def chromium(name):
    """Headless Chromium at 1400×900 with a fresh profile; yields the browser context."""
    if not Path(CHROMIUM).exists():
        missing(f"{CHROMIUM} not found")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the Python package playwright is not installed")
    profile = Path(os.environ.get("TMPDIR", "/tmp")) / f"{name}-{secrets.token_hex(4)}"
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport=VIEWPORT)
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)
