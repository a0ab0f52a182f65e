"""Debian's Chromium driven by Playwright for Python, for the web tests.

Locally the browser tests skip with a message when ``/usr/bin/chromium`` is missing;
with ``CI=true`` a missing browser is an error, so CI can never silently skip them.
Playwright's own browser downloads are never used (``executable_path``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Flags for a closed network: without the background-networking ones Chromium's own
connections are refused and slow every start."""

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
"""Where the browser tests save what each page looks like (gitignored)."""

VIEWPORT = {"width": 1280, "height": 800}


def require_chromium() -> str:
    """The Chromium binary, or skip (locally) / fail (CI) when it is not installed."""
    if CHROMIUM.exists():
        return str(CHROMIUM)
    message = f"{CHROMIUM} not found; install Debian's chromium (apt-get install chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (CI=true: the browser tests must run)")
    pytest.skip(message)


def screenshot_path(name: str) -> Path:
    """``artifacts/screenshots/<name>.png`` (the folder is created)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"


_PROBLEMS: dict[int, list[str]] = {}
"""Script and CSP errors each open page logged, by ``id(page)``, for :func:`close_pages`."""


def open_page(
    browser: Any,
    *,
    viewport: dict[str, int] = VIEWPORT,
    locale: str = "en-US",
    timeout_ms: int = 10_000,
) -> Any:
    """A page in a fresh context (its own cookies) whose script and CSP errors are kept."""
    context = browser.new_context(viewport=viewport, locale=locale)
    context.set_default_timeout(timeout_ms)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if _is_problem(m) else None)
    _PROBLEMS[id(page)] = problems
    return page


def _is_problem(message: Any) -> bool:
    """Errors other than the 4xx statuses the pages' own checks cause on purpose."""
    return message.type == "error" and not message.text.startswith("Failed to load resource")


def close_pages(*pages: Any) -> None:
    """Close the pages' contexts; no page may have logged a script or CSP error."""
    for page in pages:
        page.context.close()
        assert _PROBLEMS.pop(id(page)) == []


def sign_in(page: Any, name: str, password: str) -> None:
    """Log in on the login page in English or Chinese."""
    page.get_by_label(re.compile("User name|用户名")).fill(name)
    page.get_by_label(re.compile("Password|密码")).fill(password)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_load_state()
