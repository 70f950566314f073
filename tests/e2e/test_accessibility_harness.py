"""The browser tests' own safety net: the CSP stays strict, axe-core still runs, misses are caught.

If one of these fails, the journeys' accessibility checks may be passing for the wrong reason.
"""

import pytest

from .a11y import AXE_SOURCE, assert_all_audited, audit, goto, track, untrack

# Browser tests use the live server (a transactional database): serialized_rollback restores the
# reference data that migrations load (territories, themes, the Site) after each test.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

STRICT = ("script-src 'self'", "style-src 'self'")


def test_axe_runs_under_the_strict_csp_and_reports_violations(page):
    response = goto(page, "/")
    policy = response.headers.get("content-security-policy", "")
    assert all(directive in policy for directive in STRICT), policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, policy

    # axe-core was injected through the DevTools protocol, which the CSP does not govern.
    assert page.evaluate("() => window.axe.version") in AXE_SOURCE[:40]

    # A violation made on purpose (an image with no text alternative) fails the audit, readably.
    page.evaluate(
        "() => { const img = document.createElement('img'); img.src = '/static/img/favicon.svg';"
        " img.id = 'no-alt'; document.querySelector('main').append(img); }"
    )
    with pytest.raises(pytest.fail.Exception) as failure:
        audit(page)
    assert "image-alt" in str(failure.value) and "#no-alt" in str(failure.value)


def test_a_page_loaded_without_audit_is_reported(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    try:
        page = context.new_page()
        track(page)
        goto(page, "/")
        page.goto("/compte/login/")
        tracker = untrack(page)
        with pytest.raises(pytest.fail.Exception) as failure:
            assert_all_audited(tracker)
        assert "/compte/login/" in str(failure.value)

        # The CSP really applies to the pages: an inline script is refused and reported.
        refused = []
        page.on("console", lambda message: refused.append(message.text))
        page.evaluate(
            "() => { const s = document.createElement('script'); s.textContent = 'window.inlineRan = 1';"
            " document.body.append(s); }"
        )
        page.wait_for_timeout(100)
        assert page.evaluate("() => window.inlineRan") is None
        assert any("Content Security Policy" in text for text in refused), refused
    finally:
        context.close()
