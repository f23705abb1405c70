"""Compiled templates are kept between builds (render.keep_compiled_templates): an edited template
is compiled again, and environments whose settings change the compiled code never share entries."""

from __future__ import annotations

import jinja2

from paper_collection.site.render import keep_compiled_templates


def env_for(folder, cache, *, autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), autoescape=autoescape)
    keep_compiled_templates(env, cache)
    return env


def test_compiled_templates_are_kept_and_follow_their_source(tmp_path):
    templates, cache = tmp_path / "templates", tmp_path / "cache"
    templates.mkdir()
    (templates / "page.html").write_text("<p>{{ text }}</p>", encoding="utf-8")
    first = env_for(templates, cache, autoescape=True)
    assert first.get_template("page.html").render(text="<b>") == "<p>&lt;b&gt;</p>"
    assert list((cache / "templates").rglob("*.cache"))  # kept on disk
    # Another environment with other settings: the same template compiles to other code.
    raw = env_for(templates, cache, autoescape=False)
    assert raw.get_template("page.html").render(text="<b>") == "<p><b></p>"
    assert env_for(templates, cache, autoescape=True).get_template("page.html").render(text="<b>") == \
        "<p>&lt;b&gt;</p>"
    (templates / "page.html").write_text("<div>{{ text }}</div>", encoding="utf-8")
    assert env_for(templates, cache, autoescape=True).get_template("page.html").render(text="x") == "<div>x</div>"
