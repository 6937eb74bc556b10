"""Markdown bodies become safe HTML: formatting survives, active content never does."""

import re

import pytest

from content.library.markdown import plain_text, render_markdown


def test_formatting_renders_to_html():
    html = render_markdown("# Why Tandem\n\nWe ship **fast**.\n\n- one\n- two")

    assert "<h1>Why Tandem</h1>" in html
    assert "<strong>fast</strong>" in html
    assert "<li>one</li>" in html


def test_tables_from_markdown_extra_render():
    html = render_markdown("| Plan | Price |\n|---|---|\n| Team | 10 |")

    assert "<th>Plan</th>" in html
    assert "<td>10</td>" in html


def test_safe_links_keep_their_address_and_get_rel():
    html = render_markdown("[Pricing](https://example.com/pricing)")

    assert 'href="https://example.com/pricing"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_script_tag_and_its_content_are_removed():
    html = render_markdown("Hello <script>alert('owned')</script> world")

    assert "<script" not in html
    assert "alert" not in html
    assert "Hello" in html


@pytest.mark.parametrize(
    "source",
    [
        "<img src=x onerror=alert(1)>",
        '<p onclick="alert(1)">click</p>',
        '<div onmouseover="alert(1)">hover</div>',
        "<svg onload=alert(1)>",
    ],
)
def test_event_handlers_are_removed(source):
    html = render_markdown(source)

    assert "alert" not in html
    assert not re.search(r"\son\w+\s*=", html)


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](&#106;avascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="vbscript:msgbox(1)">x</a>',
        "![x](data:text/html;base64,PHNjcmlwdD4=)",
    ],
)
def test_dangerous_url_schemes_are_removed(source):
    html = render_markdown(source)

    assert "javascript" not in html.lower()
    assert "vbscript" not in html
    assert "data:" not in html
    assert "href=" not in html
    assert "src=" not in html


@pytest.mark.parametrize(
    "source", ["<iframe src=https://evil.example></iframe>", "<style>body{display:none}</style>"]
)
def test_embedding_and_style_tags_are_removed(source):
    html = render_markdown(source)

    assert "iframe" not in html
    assert "style" not in html
    assert "evil" not in html


def test_empty_body_renders_nothing():
    assert str(render_markdown(None)) == ""
    assert str(render_markdown("")) == ""


def test_plain_text_keeps_only_the_words():
    assert plain_text("# Title\n\n**bold** and <em>soft</em>") == "Title\nbold and soft"
