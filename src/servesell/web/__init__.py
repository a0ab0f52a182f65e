"""The browser front end: login, agent desktop, supervisor dashboard, analyst's catalog.

Server-rendered Jinja2 pages with htmx (shipped in ``static/``, no CDN), mounted on the
API's app by :func:`mount` so ``servesell serve`` serves both.
"""

from servesell.web.app import mount

__all__ = ["mount"]
