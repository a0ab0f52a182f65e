"""Debian's Chromium driven by Playwright for Python, for the web tests.

Locally the browser tests skip with a message when ``/usr/bin/chromium`` is missing;
with ``CI=true`` a missing browser is an error, so CI can never silently skip them.
Playwright's own browser downloads are never used (``executable_path``).
"""

from __future__ import annotations

import os
from pathlib import Path

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
