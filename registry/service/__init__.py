"""The registry service: validation, provenance, history and visibility in one place."""

from registry.service.caller import Caller, Role
from registry.service.core import DEFAULT_RETIRE_LIMIT, LoadReport, RegistryService
from registry.service.declaration import Declaration, EdgeDecl, RetireScope
from registry.service.errors import (
    ImportRejected,
    InvalidInput,
    Issue,
    NotFound,
    PermissionDenied,
    RetireLimitExceeded,
    ServiceError,
)

__all__ = [
    "DEFAULT_RETIRE_LIMIT",
    "Caller",
    "Declaration",
    "EdgeDecl",
    "ImportRejected",
    "InvalidInput",
    "Issue",
    "LoadReport",
    "NotFound",
    "PermissionDenied",
    "RegistryService",
    "RetireLimitExceeded",
    "RetireScope",
    "Role",
    "ServiceError",
]
