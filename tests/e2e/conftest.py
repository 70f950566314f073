"""Browser tests: Playwright's sync API driving the system Chromium against pytest-django's live server.

Every test gets a fresh browser context and page (French-speaking visitor, Paris time). The page
fixture also enforces, at teardown, that every document the test loaded was audited with axe-core
(see `a11y.py`), that the Content-Security-Policy refused nothing and that no script error occurred.
On failure a screenshot goes to `test-artifacts/`.
"""

import os
import re
from pathlib import Path

import pytest

from tests.conftest import ensure_static_data, require

from .a11y import assert_all_audited, track, untrack

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse ORM calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
DEFAULT_TIMEOUT_MS = 10_000


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so that fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def playwright_instance():
    require(os.path.exists(CHROMIUM), f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser, live_server, request):
    """A fresh context and page on the live server; fails at teardown if a loaded page was not audited."""
    ensure_static_data()  # a previous transactional test's flush may have removed it
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    track(page)
    problems = []

    def on_console(message):
        # Chromium logs every resource or inline code the CSP refused as a console error.
        # A refusal without a source URL comes from code the harness evaluated (axe-core's CSS preload
        # builds <style> elements for stylesheets that @import others, such as the admin's forms.css).
        from_harness = not (message.location or {}).get("url")
        if message.type == "error" and "Content Security Policy" in message.text and not from_harness:
            problems.append(f"refused by the CSP on {page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"uncaught script error on {page.url}: {error}"))
    try:
        yield page
    finally:
        tracker = untrack(page)
        call = getattr(request.node, "rep_call", None)
        passed = call is not None and call.passed
        try:
            if not passed:
                _screenshot(page, request.node.nodeid)
        finally:
            context.close()
        for finding in tracker.findings:
            print(f"(not failing) {finding}")
        if passed:
            assert_all_audited(tracker)
            if problems:
                pytest.fail("The browser reported:\n" + "\n".join(problems), pytrace=False)


def _screenshot(page, nodeid: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid)[-150:]
    path = ARTIFACTS / f"{name}.png"
    try:
        page.screenshot(path=path, full_page=True)
    except Exception as exc:  # noqa: BLE001 - a screenshot must never hide the test's own failure
        print(f"Could not save a screenshot: {exc}")
    else:
        print(f"Screenshot of the failed test: {path}")
