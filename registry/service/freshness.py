"""Reports that data was updated: for a dataset, or by an interface for every dataset it
serves, from a job, a person or the interface's own system (with its department's token),
through the same checks as any write (an editor reports only for its own department's
entries, and only for what it can see)."""

from datetime import UTC, datetime

from registry.schema.model import Dataset, Interface
from registry.service.caller import Caller
from registry.service.core import LoadReport, RegistryService
from registry.service.errors import InvalidInput


def _moment(at: datetime | None) -> datetime:
    moment = at or datetime.now(UTC)
    if moment.tzinfo is None:
        raise InvalidInput("give the update time with its time zone (2026-11-30T08:00:00+08:00)")
    if moment > datetime.now(UTC):
        raise InvalidInput(f"the update time {moment.isoformat()} is in the future")
    return moment


def _older(recorded: object, moment: datetime) -> bool:
    """Whether a recorded time is missing or before ``moment``: a late report of an older
    delivery never moves a dataset's update time back."""
    if not recorded:
        return True
    then = datetime.fromisoformat(str(recorded))
    return (then if then.tzinfo else then.replace(tzinfo=UTC)) < moment


def report_data_update(
    service: RegistryService, caller: Caller, dataset: str, at: datetime | None = None, *, source: str = "api"
) -> LoadReport:
    """Record when the dataset's data was last updated (now, unless ``at`` says when)."""
    moment = _moment(at)
    record = service.get(caller, "Dataset", dataset)
    model = Dataset(**{**record.props, "data_updated_at": moment})
    return service.upsert(caller, [model], source=source)


def report_interface_update(
    service: RegistryService, caller: Caller, interface: str, at: datetime | None = None, *, source: str = "api"
) -> LoadReport:
    """An interface delivered data (now, unless ``at`` says when): the time is recorded on
    the interface and on each dataset exposed through it that the caller can see, as one
    write. A hidden or unknown interface answers NOT_FOUND; another department's, as any
    write to it, is refused."""
    moment = _moment(at)
    record = service.get(caller, "Interface", interface)
    exposed = service.edges(caller, [record.ref], direction="in", types=["EXPOSED_VIA"])
    datasets = service.get_many(caller, "Dataset", sorted({e.src.key for e in exposed if e.src.label == "Dataset"}))
    # the interface is always part of the write, so its owner is checked even when the
    # report is older than what is recorded (and nothing changes)
    latest = moment if _older(record.props.get("data_updated_at"), moment) else record.props["data_updated_at"]
    models: list[Interface | Dataset] = [Interface(**{**record.props, "data_updated_at": latest})]
    for key in sorted(datasets):
        if _older(datasets[key].props.get("data_updated_at"), moment):
            models.append(Dataset(**{**datasets[key].props, "data_updated_at": moment}))
    return service.upsert(caller, models, source=source)
