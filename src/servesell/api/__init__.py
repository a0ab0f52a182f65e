"""HTTP API for CTI, ACD and CRM integration (FastAPI), mounted by :mod:`servesell.server`."""

from servesell.api.app import DESCRIPTION, mount

__all__ = ["DESCRIPTION", "mount"]
