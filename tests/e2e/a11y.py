"""Accessibility checks for the browser tests: axe-core on every page a test loads.

axe-core is injected with `page.evaluate` (it goes through the DevTools protocol, which the page's
Content-Security-Policy does not govern), so the CSP stays as strict in tests as in production.

Every page a test loads must be audited: `track(page)` counts the documents the page loads, `audit(page)`
runs axe on the current one, and `assert_all_audited(page)` (called by the `page` fixture at teardown)
fails the test if a loaded document was never audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}

_AXE_RUN = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target, summary: n.failureSummary, html: n.html})),
  }));
}"""


@dataclass
class _Tracker:
    loaded: list[str] = field(default_factory=list)  # URL of every document loaded in the main frame
    audited: int = 0  # how many of them were audited (documents are audited in order)
    findings: list[str] = field(default_factory=list)  # moderate and minor violations, for the report


_TRACKERS: dict[int, _Tracker] = {}


def track(page) -> None:
    """Start counting the documents `page` loads (the `page` fixture does this)."""
    tracker = _TRACKERS[id(page)] = _Tracker()
    # The "load" event of the main frame is delivered before any wait for the load state returns,
    # so by the time a navigation has been awaited, its document is counted.
    page.on("load", lambda loaded_page: tracker.loaded.append(loaded_page.url))


def untrack(page) -> _Tracker | None:
    return _TRACKERS.pop(id(page), None)


def _tracker(page) -> _Tracker:
    try:
        return _TRACKERS[id(page)]
    except KeyError:
        raise RuntimeError("audit() needs a page from the e2e `page` fixture") from None


def format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"axe-core found {len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:10]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}")
            lines.append(f"       {node['html'][:200]}")
            summary = (node.get("summary") or "").replace("\n", "\n         ")
            if summary:
                lines.append(f"       {summary}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    … and {len(violation['nodes']) - 10} more element(s)")
    return "\n".join(lines)


def audit(page) -> None:
    """Run axe-core on the page's current document; fail on any serious or critical violation.

    Call it once the navigation is complete (after `page.goto`, `page.wait_for_url` or
    `page.expect_navigation`). Calling it again on the same document (after an htmx swap, say) is fine.
    """
    tracker = _tracker(page)
    page.wait_for_load_state("load")
    skipped = tracker.loaded[tracker.audited : -1]
    if skipped:
        pytest.fail(
            "These pages were loaded but never audited with axe-core: "
            + ", ".join(skipped)
            + ". Call audit(page) after every navigation.",
            pytrace=False,
        )
    if not page.evaluate("() => typeof window.axe === 'object' && typeof window.axe.run === 'function'"):
        page.evaluate(AXE_SOURCE)
    violations = page.evaluate(_AXE_RUN, AXE_TAGS)
    tracker.audited = len(tracker.loaded)
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    minor = [v for v in violations if v["impact"] not in FAILING_IMPACTS]
    if minor:
        tracker.findings.append(format_violations(page.url, minor))
    if failing:
        pytest.fail(format_violations(page.url, failing), pytrace=False)


def goto(page, url: str):
    """`page.goto(url)`, check the response, then audit the page."""
    response = page.goto(url)
    assert response is not None and response.ok, f"GET {url} answered {response and response.status}"
    audit(page)
    return response


def assert_all_audited(tracker: _Tracker) -> None:
    never = tracker.loaded[tracker.audited :]
    if never:
        pytest.fail(
            "These pages were loaded but never audited with axe-core: "
            + ", ".join(never)
            + ". Call audit(page) (or goto(page, url)) after every navigation.",
            pytrace=False,
        )
