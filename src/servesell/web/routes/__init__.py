"""The web app's pages, one module per user (mounted by ``servesell.web.app``)."""

__all__: list[str] = []
