"""The bare-Flask baseline of bench/http_bench.py: one page rendering a list of 24 cards
in a small layout, as the portal's list pages do, with no database, sign-in or extensions."""

from flask import Flask, render_template_string

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><header><nav>
{% for link in links %}<a href="{{ link }}">{{ link }}</a> {% endfor %}
</nav></header>
<main><h1>{{ title }}</h1><ul class="cards">
{% for card in cards %}<li class="card">
<h2><a href="/assets/{{ card.id }}">{{ card.title }}</a></h2><p>{{ card.summary }}</p>
<p>{% for stage in card.stages %}<span class="chip">{{ stage }}</span>{% endfor %}
<small>{{ card.owner }} · {{ card.rating }}</small></p></li>{% endfor %}
</ul></main></body></html>"""

CARDS = [
    {
        "id": n,
        "title": f"Pricing one-pager {n}",
        "summary": "Why customers choose us, in one page a buyer can forward.",
        "stages": ["Awareness", "Decision"],
        "owner": "Morgan Marketer",
        "rating": "4.3",
    }
    for n in range(1, 25)
]

app = Flask(__name__)


@app.get("/")
def cards() -> str:
    links = ["/library", "/assets", "/deals", "/reports"]
    return render_template_string(PAGE, title="Library", links=links, cards=CARDS)
