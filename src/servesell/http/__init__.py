"""The HTTP edge shared by the JSON API and the web app: dependencies, id shapes, masking.

``api/`` and ``web/`` never import each other; what both need lives here.
"""

from servesell.http.deps import (
    AdminDep,
    AgentCall,
    AgentCallDep,
    AgentDep,
    ConnDep,
    DbDep,
    DeskDep,
    EnginesDep,
    PreviewsDep,
    SettingsDep,
    SpecialistDep,
    SupervisorDep,
    TokensDep,
    current_user,
    require,
)
from servesell.http.ids import Id, Name, is_id, is_name
from servesell.http.masking import AccessLog, mask_id, mask_text

__all__ = [
    "AccessLog",
    "AdminDep",
    "AgentCall",
    "AgentCallDep",
    "AgentDep",
    "ConnDep",
    "DbDep",
    "DeskDep",
    "EnginesDep",
    "Id",
    "Name",
    "PreviewsDep",
    "SettingsDep",
    "SpecialistDep",
    "SupervisorDep",
    "TokensDep",
    "current_user",
    "is_id",
    "is_name",
    "mask_id",
    "mask_text",
    "require",
]
