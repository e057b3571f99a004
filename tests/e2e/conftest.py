"""Playwright fixtures for the browser walk-throughs (Debian's chromium, no downloads).

The tests need ``/usr/bin/chromium``. Without it they are skipped, except on CI
(``CI=true``), where a missing browser is an error.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; Django would otherwise
# refuse ORM calls made from the test body ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"



def _serialise_live_server() -> None:
    """Let the live server answer one request at a time.

    The browser tests run on SQLite in memory, where Django's live server shares the test
    thread's single connection with every request thread. htmx pages load their parts in
    parallel, and two requests reading through one SQLite connection at once have returned
    each other's rows (a session lookup by primary key came back with two rows in CI). The
    server still takes parallel (keep-alive) connections; only the application call and
    the reading of its response are done under one lock.
    """
    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.test.testcases import LiveServerThread

    class SerialisedWSGIServer(ThreadedWSGIServer):
        def set_app(self, application: Any) -> None:
            lock = threading.Lock()

            def serialised(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
                with lock:
                    result = application(environ, start_response)
                    try:
                        return list(result)
                    finally:
                        close = getattr(result, "close", None)
                        if close is not None:
                            close()

            super().set_app(serialised)

    LiveServerThread.server_class = SerialisedWSGIServer


_serialise_live_server()

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
ON_CI = os.environ.get("CI", "").strip().lower() == "true"
TIMEOUT_MS = 10_000
#: Chromium asks for /favicon.ico on its own (the first page of a session, not every time);
#: the app ships no favicon, so that 404 is noise, not a page bug.
IGNORED_404_SUFFIX = "/favicon.ico"


def _unavailable(reason: str) -> None:
    if ON_CI:
        pytest.fail(f"e2e: {reason} (CI=true, so this is an error, not a skip)", pytrace=False)
    pytest.skip(f"e2e: {reason}")


@pytest.fixture(scope="session")
def _playwright() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - dev dependency
        _unavailable("the 'playwright' Python package is not installed")
    if not CHROMIUM.exists():
        _unavailable(
            f"{CHROMIUM} is missing (apt-get install chromium); 'playwright install' is not used"
        )
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(_playwright: Any) -> Iterator[Any]:
    browser = _playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@dataclass
class Problems:
    """Everything the browser complained about while a test ran."""

    console: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)
    #: URL substrings whose >= 400 answers (and the console line about them) are expected.
    expected_failures: list[str] = field(default_factory=list)

    #: Confirmation texts (data-confirm) the test answers "OK" to; any other dialog — an
    #: alert from injected script included — is a problem.
    confirmations: list[str] = field(default_factory=list)

    def confirm(self, text_part: str) -> None:
        self.confirmations.append(text_part)

    def expect_failure(self, url_part: str) -> None:
        self.expected_failures.append(url_part)

    def _expected(self, text: str) -> bool:
        return any(part in text for part in self.expected_failures)

    def assert_clean(self) -> None:
        console = [
            c
            for c in self.console
            if not ("Failed to load resource" in c and self._expected(c))
            and not ("status of 404" in c and c.endswith(IGNORED_404_SUFFIX))
        ]
        found = {
            "console errors (CSP violations land here)": console,
            "uncaught page errors": self.page_errors,
            "dialogs": self.dialogs,
            "HTTP errors": [r for r in self.bad_responses if not self._expected(r)],
        }
        found = {k: v for k, v in found.items() if v}
        assert not found, f"browser problems: {found}"


@pytest.fixture
def problems() -> Problems:
    return Problems()


@pytest.fixture
def page(browser: Any, live_server: Any, problems: Problems) -> Iterator[Any]:
    """A fresh browser context (own cookies) on the live server, watched for problems."""
    context = browser.new_context(base_url=live_server.url, locale="pl-PL", service_workers="block")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()

    def on_console(msg: Any) -> None:
        if msg.type == "error":
            loc = msg.location or {}
            problems.console.append(f"{msg.text} @ {loc.get('url', '?')}")

    def on_dialog(dialog: Any) -> None:
        if dialog.type == "confirm" and any(t in dialog.message for t in problems.confirmations):
            dialog.accept()
            return
        problems.dialogs.append(f"{dialog.type}: {dialog.message} @ {page.url}")
        dialog.dismiss()

    def on_response(response: Any) -> None:
        if response.status >= 400:
            problems.bad_responses.append(
                f"{response.status} {response.request.method} {response.url}"
            )

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.page_errors.append(f"{exc} @ {page.url}"))
    page.on("dialog", on_dialog)
    page.on("response", on_response)
    yield page
    context.close()
