"""The registry service: validation, provenance, history and visibility in one place.

``StoreError`` (the store could not be reached or failed) is re-exported so that the
web and CLI layers can report it without importing the store package, which only the
service and the store opener (``registry.cli.context``) may import."""

from registry.service.caller import Caller, Role
from registry.service.core import DEFAULT_RETIRE_LIMIT, LoadReport, RegistryService
from registry.service.declaration import Declaration, EdgeDecl, RetireScope
from registry.service.errors import (
    Busy,
    ImportRejected,
    InvalidInput,
    Issue,
    NotFound,
    PermissionDenied,
    RetireLimitExceeded,
    ServiceError,
)
from registry.store.base import StoreError

__all__ = [
    "DEFAULT_RETIRE_LIMIT",
    "Busy",
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
    "StoreError",
]
