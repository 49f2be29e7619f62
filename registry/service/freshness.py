"""Reports that a dataset's data was updated: from an interface, a job or a person, through
the same checks as any write (an editor reports only for its own department's datasets,
and only for what it can see)."""

from datetime import UTC, datetime

from registry.schema.model import Dataset
from registry.service.caller import Caller
from registry.service.core import LoadReport, RegistryService
from registry.service.errors import InvalidInput


def report_data_update(
    service: RegistryService, caller: Caller, dataset: str, at: datetime | None = None, *, source: str = "api"
) -> LoadReport:
    """Record when the dataset's data was last updated (now, unless ``at`` says when)."""
    moment = at or datetime.now(UTC)
    if moment.tzinfo is None:
        raise InvalidInput("give the update time with its time zone (2026-11-30T08:00:00+08:00)")
    if moment > datetime.now(UTC):
        raise InvalidInput(f"the update time {moment.isoformat()} is in the future")
    record = service.get(caller, "Dataset", dataset)
    model = Dataset(**{**record.props, "data_updated_at": moment})
    return service.upsert(caller, [model], source=source)
