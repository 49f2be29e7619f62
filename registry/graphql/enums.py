"""The schema's closed vocabularies, exposed as GraphQL enums under the same values."""

import re
from enum import StrEnum

import strawberry

from registry.schema import enums
from registry.schema.model import NODE_MODELS

Network = strawberry.enum(enums.Network, description="部署网络")
SecrecyLevel = strawberry.enum(enums.SecrecyLevel, description="密级")
ShareType = strawberry.enum(enums.ShareType, description="共享类型")
ShareMode = strawberry.enum(enums.ShareMode, description="共享方式")
UpdateCycle = strawberry.enum(enums.UpdateCycle, description="更新周期")
DataType = strawberry.enum(enums.DataType, description="信息项数据类型")
FormatCategory = strawberry.enum(enums.FormatCategory, description="信息资源格式分类")
DepartmentLevel = strawberry.enum(enums.DepartmentLevel, description="部门层级")
InterfaceKind = strawberry.enum(enums.InterfaceKind, description="技术接口类型")
SystemStatus = strawberry.enum(enums.SystemStatus, description="系统状态")
ResourceCategory = strawberry.enum(enums.ResourceCategory, description="信息资源分类")
ProjectStage = strawberry.enum(enums.ProjectStage, description="项目阶段")
ReviewDecision = strawberry.enum(enums.ReviewDecision, description="复核结论")

NodeKind = strawberry.enum(
    StrEnum("NodeKind", {re.sub(r"(?<!^)(?=[A-Z])", "_", label).upper(): label for label in NODE_MODELS}),
    description="The label of a node in the registry graph.",
)


@strawberry.enum
class Direction(StrEnum):
    UP = "up"
    DOWN = "down"
    BOTH = "both"


@strawberry.enum
class AnalysisKind(StrEnum):
    SYSTEM = "System"
    DATASET = "Dataset"
