"""Fixtures of the browser tests: Debian's Chromium, driven by Playwright, on the live server.

The live server runs in this process (a thread), so the tests read the e-mails it sends
from ``mail.outbox`` and share its settings. Playwright's sync API runs an event loop in the
test thread, which Django would take for async code: ``DJANGO_ALLOW_ASYNC_UNSAFE`` lets the
test thread use the ORM all the same.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# Debian's Chromium only: never a browser downloaded by Playwright.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCALE = "fr-FR"

# The journal is append-only in the database: TRUNCATE (PostgreSQL) and DELETE (SQLite) are
# refused by triggers, which would make the flush between transactional tests fail.
_TRIGGERS = importlib.import_module("bouclier.audit.migrations.0002_append_only_triggers")
_PROTECT_AGAIN = "tests.browser.protect_audit_journal_again"


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()


@pytest.fixture
def site(live_server: LiveServer, settings: Settings) -> str:
    """The live server's address; e-mailed links point to it."""
    settings.BASE_URL = live_server.url
    return live_server.url


@pytest.fixture
def page(browser: Browser, site: str) -> Iterator[Page]:
    """A fresh browser context (no cookies), in French, on the live server."""
    context = browser.new_context(locale=LOCALE, base_url=site)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()
