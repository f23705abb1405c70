from __future__ import annotations

import pytest

from tests.helpers import CHROMIUM, CHROMIUM_ARGS, make_project, require_chromium, run_generator


@pytest.fixture(scope="session")
def bundled_site(tmp_path_factory):
    """The seed collection (tests/helpers.py: the seed listing imported into a temporary folder,
    never content/) built once per test session: returns the project folder; the site is in
    `site/` beneath it."""
    root = make_project(tmp_path_factory.mktemp("bundled"))
    run_generator(root, "build")
    return root


@pytest.fixture(scope="session")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()
