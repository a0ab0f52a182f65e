"""The API's routers, one module per resource (mounted by ``servesell.api.app``)."""

__all__: list[str] = []
