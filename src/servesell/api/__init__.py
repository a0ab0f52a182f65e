"""HTTP API for CTI, ACD and CRM integration (FastAPI)."""

from servesell.api.main import create_app

__all__ = ["create_app"]
