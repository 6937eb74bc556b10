"""A rep who uses only the keyboard signs in, searches the library, opens the hit, rates
the asset and shares it with a buyer, seeing where the focus is at every stop.

After the first page load the test only presses keys: Tab (never a count of presses,
which would break whenever a link is added to the header) until the element it wants
has the focus, then types, arrows or presses Enter as a person would.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, SQLITE_ONLY, make_asset
from tests.search.helpers import index_now

pytestmark = [pytest.mark.browser, SQLITE_ONLY]

MAX_TABS = 120

# Visible means an outline, or a box shadow that is drawn (Pico gives buttons a
# transparent zero-size shadow at rest, which is not "none" but shows nothing), on the
# element or on the search form or group it belongs to: Pico rings a whole search form
# when its button has the focus.
_FOCUS = """(selector) => {
    const element = document.activeElement;
    if (!element || element === document.body) return {matches: false, visible: false, tag: 'body'};
    const alpha = (colour) => {
        const parts = (colour.match(/rgba?\\(([^)]*)\\)/) || [null, '0,0,0,0'])[1].split(',');
        return parts.length > 3 ? parseFloat(parts[3]) : 1;
    };
    const ringed = (style) => {
        const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
            && alpha(style.outlineColor) > 0;
        const shadows = style.boxShadow === 'none' ? [] : style.boxShadow.split(/,(?![^(]*\\))/);
        return outlined || shadows.some((shadow) => {
            const sizes = shadow.replace(/rgba?\\([^)]*\\)/, '').trim().split(/\\s+/);
            return alpha(shadow) > 0 && sizes.map(parseFloat).some((size) => size > 0);
        });
    };
    const style = getComputedStyle(element);
    const parent = element.parentElement;
    const group = parent && parent.closest('[role=search], [role=group]');
    return {
        matches: element.matches(selector),
        visible: ringed(style) || (group !== null && ringed(getComputedStyle(group))),
        tag: element.outerHTML.slice(0, 120),
        style: `outline: ${style.outline}; box-shadow: ${style.boxShadow}`,
    };
}"""


def tab_to(page: Page, selector: str, key: str = "Tab") -> None:
    """Press Tab (or ``key``) until the focused element matches the CSS ``selector``;
    every link, button and field the focus passes on the way must show it."""
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        focus = page.evaluate(_FOCUS, selector)
        assert focus["visible"], f"the focus is not visible on {focus['tag']} ({focus['style']})"
        if focus["matches"]:
            return
    raise AssertionError(f"{MAX_TABS} presses of {key} never reached {selector}")


def test_a_keyboard_user_signs_in_searches_rates_and_shares(page, users):
    make_asset(
        users["marketer"],
        "Security whitepaper",
        summary="How the platform keeps buyers' data safe.",
        body="We encrypt **everything** at rest.",
    )
    make_asset(users["marketer"], "Pricing one-pager", summary="Plans and prices.")
    index_now()
    keys = page.keyboard
    # Pico eases focus rings in over a fifth of a second, except for people who ask for
    # less motion: they see the ring at once, and so does the check after each Tab.
    page.emulate_media(reduced_motion="reduce")

    page.goto("/login")
    tab_to(page, "input[name=email]")
    keys.type(users["rep"].email)
    tab_to(page, "input[name=password]")
    keys.type(PASSWORD)
    keys.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Welcome back")).to_be_visible()

    tab_to(page, "[role=search] input[name=q]")
    keys.type("security")
    keys.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=security$"))
    tab_to(page, "[aria-label=Results] article h2 a")
    keys.press("Enter")
    expect(page.get_by_role("heading", name="Security whitepaper", level=1)).to_be_visible()

    # A radio group is one stop: Tab reaches its first star, the arrows choose.
    tab_to(page, "form[aria-label='Rate this asset'] input[type=radio]")
    for _ in range(3):
        keys.press("ArrowRight")
    chosen = page.evaluate("() => document.activeElement.value")
    assert page.evaluate("() => document.activeElement.checked")
    tab_to(page, "form[aria-label='Rate this asset'] button[type=submit]")
    keys.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Thanks — your rating is saved.")
    expect(page.get_by_text(f"Rated {chosen}.0 of 5")).to_be_visible()

    tab_to(page, "form[aria-label='New share link'] input[name=recipient]")
    keys.type("Pat at Acme")
    tab_to(page, "form[aria-label='New share link'] button[type=submit]")
    keys.press("Enter")
    expect(page.get_by_role("heading", name="Your share link", level=1)).to_be_visible()
    expect(page.get_by_label("Share link", exact=True)).to_have_value(
        re.compile(r"^http://127\.0\.0\.1:\d+/s/[A-Za-z0-9_-]{43}$")
    )
