import os
from pathlib import Path

import pytest

from safetynet.core import testing


@pytest.fixture
def personas(db):
    return testing.build_personas()


@pytest.fixture
def household_a(personas):
    from safetynet.registry.services import household_create

    return household_create(actor=personas.alice, data=testing.household_input(), reason="建档测试")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached values (home-page counts) must not leak from one test into another."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# --- headless Chromium for the browser tests (Debian's /usr/bin/chromium, driven by Playwright) ---
# One Playwright instance per test process: its sync API runs an asyncio loop in the main thread,
# and a second instance started while the first runs fails ("Sync API inside the asyncio loop"),
# so every browser test, in any folder, uses these fixtures.

# Playwright's sync API runs an asyncio loop in the main thread; Django's ORM refuses to run
# while a loop is running unless this is set. The test thread does not share connections
# with the loop, so it is safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(
            f"browser tests need Chromium at {CHROMIUM} (Debian package `chromium`); it is not installed"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser):
    """Open pages in fresh contexts (separate cookies), Chinese first like the users' phones."""
    contexts = []

    def make(**options):
        options.setdefault("locale", "zh-CN")
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
