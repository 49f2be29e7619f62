"""The schema's closed vocabularies, exposed as GraphQL enums under the same values."""

import re
from enum import StrEnum
from typing import TYPE_CHECKING

import strawberry

from registry.schema.enums import (
    DataType,
    DepartmentLevel,
    FormatCategory,
    InterfaceKind,
    Network,
    ProjectStage,
    ResourceCategory,
    ReviewDecision,
    SecrecyLevel,
    ShareMode,
    ShareType,
    SystemStatus,
    UpdateCycle,
)
from registry.schema.model import NODE_MODELS

# The schema's own enum classes, registered in place with their GraphQL descriptions: the
# models and the API share one class per vocabulary.
for _enum, _description in (
    (Network, "部署网络"),
    (SecrecyLevel, "密级"),
    (ShareType, "共享类型"),
    (ShareMode, "共享方式"),
    (UpdateCycle, "更新周期"),
    (DataType, "信息项数据类型"),
    (FormatCategory, "信息资源格式分类"),
    (DepartmentLevel, "部门层级"),
    (InterfaceKind, "技术接口类型"),
    (SystemStatus, "系统状态"),
    (ResourceCategory, "信息资源分类"),
    (ProjectStage, "项目阶段"),
    (ReviewDecision, "复核结论"),
):
    strawberry.enum(_enum, description=_description)

if TYPE_CHECKING:

    class NodeKind(StrEnum):
        """One member per label of ``NODE_MODELS`` (built below at run time)."""

else:
    NodeKind = strawberry.enum(
        StrEnum("NodeKind", {re.sub(r"(?<!^)(?=[A-Z])", "_", label).upper(): label for label in NODE_MODELS}),
        description="The label of a node in the registry graph.",
    )

__all__ = [
    "AnalysisKind",
    "DataType",
    "DepartmentLevel",
    "Direction",
    "FormatCategory",
    "InterfaceKind",
    "Network",
    "NodeKind",
    "ProjectStage",
    "ResourceCategory",
    "ReviewDecision",
    "SecrecyLevel",
    "ShareMode",
    "ShareType",
    "SystemStatus",
    "UpdateCycle",
]


@strawberry.enum
class Direction(StrEnum):
    UP = "up"
    DOWN = "down"
    BOTH = "both"


@strawberry.enum
class AnalysisKind(StrEnum):
    SYSTEM = "System"
    DATASET = "Dataset"
