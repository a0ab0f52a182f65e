"""What the web routes share: the page renderer and the session codec of the app."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from servesell.web.pages import Pages
from servesell.web.session import SessionCodec


async def get_pages(request: Request) -> Pages:
    """The app's page renderer."""
    pages: Pages = request.app.state.pages
    return pages


async def get_codec(request: Request) -> SessionCodec:
    """The app's session codec."""
    codec: SessionCodec = request.app.state.session_codec
    return codec


def is_htmx(request: Request) -> bool:
    """Whether htmx sent the request (it then wants a fragment, not a page)."""
    return request.headers.get("hx-request") == "true"


PagesDep = Annotated[Pages, Depends(get_pages)]
CodecDep = Annotated[SessionCodec, Depends(get_codec)]
