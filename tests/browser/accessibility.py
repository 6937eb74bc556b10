"""Check a page against WCAG 2.1 A and AA with axe-core, vendored in vendor/axe-core.

``serious_violations(page)`` runs axe on the page as it is now (after a resize, call it
again: the rules about reflow, target size and contrast can change with the width) and
returns the serious and critical violations; ``describe(violations)`` turns them into a
message an assertion can show.
"""

from functools import cache
from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
SHOWN_NODES = 3

_RUN = """async (tags) => {
    const results = await axe.run(document, {
        runOnly: {type: 'tag', values: tags},
        resultTypes: ['violations'],
    });
    return results.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        nodes: violation.nodes.map((node) => ({
            target: node.target.join(' '),
            html: node.html,
            summary: node.failureSummary || '',
        })),
    }));
}"""


@cache
def _axe_source() -> str:
    return AXE.read_text()


def serious_violations(page: Page) -> list[dict]:
    """The serious and critical WCAG 2.1 A/AA violations on the page as shown now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated rather than added as a <script>: the portal's Content-Security-Policy
        # (script-src 'self') refuses inline scripts, and neither evaluation nor an init
        # script is subject to it. The init script brings axe to every page this one goes
        # to next without sending its 650 kB through the driver again.
        page.evaluate(_axe_source())
        page.add_init_script(path=AXE)
    violations = page.evaluate(_RUN, WCAG_TAGS)
    return [violation for violation in violations if violation["impact"] in BLOCKING]


def describe(violations: list[dict], where: str = "") -> str:
    """The violations as readable lines: the rule, its help and the first few elements."""
    lines = [f"{len(violations)} serious/critical accessibility violation(s) {where}".rstrip()]
    for violation in violations:
        nodes = violation["nodes"]
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" [{len(nodes)} element(s)]"
        )
        for node in nodes[:SHOWN_NODES]:
            lines.append(f"    {node['target']}: {node['html'][:160]}")
            summary = " ".join(node["summary"].split())
            if summary:
                lines.append(f"      {summary[:240]}")
    return "\n".join(lines)
