"""What the version check of a guarded write costs, beside the write it guards.

Run: ``python -m bench.write_guard [--writes 200] [--checks 100000]``.

A write by a caller not cleared for everything reads the store version inside its write
transaction before it writes anything (``at_version`` of ``Store.apply_chunks``), so that
another program's write between the caller's permission check and its own is noticed: one
version read per write (per chunk on Neo4j). In the same process, on the same registry file (a small
one, where the check weighs most): that read alone, an editor's registration of one
dataset of its department (the smallest guarded write, the check included), and the same
registration by a caller cleared for everything (no permission check, no version check).
"""

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import Report
from registry.schema.codes import make_credit_code
from registry.schema.enums import Clearance
from registry.schema.model import Dataset, Department, System
from registry.schema.records import NodeRef
from registry.service import Caller, Declaration, EdgeDecl, RegistryService, Role
from registry.store.sqlite import SQLiteStore

COLUMNS = ["step", "calls", "cpu_us_per_call", "vs_guarded_write"]
DEPARTMENT = make_credit_code("11", "330000", "00253001")
SYSTEM, DATASET = "ZJGA-WW-01", "301001/000002"


def _registry(service: RegistryService) -> None:
    """A department operating a system that holds the one dataset the writes rename."""
    department, system, dataset = (
        NodeRef("Department", DEPARTMENT),
        NodeRef("System", SYSTEM),
        NodeRef("Dataset", DATASET),
    )
    nodes = [
        Department(code=DEPARTMENT, name="浙江省公安厅", level="provincial", region="330000"),
        System(code=SYSTEM, name="户政业务办理系统", network="extranet"),
        Dataset(resource_code=DATASET, name="户籍人口基本信息", share_type="unconditional"),
    ]
    edges = [
        EdgeDecl("OPERATES", department, system),
        EdgeDecl("PROVIDES", department, dataset),
        EdgeDecl("HOLDS", system, dataset),
    ]
    service.load(Declaration(source="bench", format="api", nodes=nodes, edges=edges), Caller.system())


def _per_call(calls: int, call: Callable[[int], object]) -> float:
    """CPU microseconds per call of ``call(i)`` for i in range(calls)."""
    started = time.process_time()
    for i in range(calls):
        call(i)
    return (time.process_time() - started) / calls * 1e6


def run(writes: int, checks: int) -> Report:
    report = Report("write_guard", COLUMNS)
    editor = Caller("户政处编辑", Role.EDITOR, Clearance.PUBLIC, department=DEPARTMENT)
    with tempfile.TemporaryDirectory() as folder:
        service = RegistryService(SQLiteStore(Path(folder) / "registry.db"))
        _registry(service)

        def rename(caller: Caller) -> Callable[[int], object]:
            def write(i: int) -> object:
                renamed = Dataset(resource_code=DATASET, name=f"户籍人口基本信息{i}", share_type="unconditional")
                return service.upsert(caller, [renamed])

            return write

        guarded = _per_call(writes, rename(editor))
        unguarded = _per_call(writes, rename(Caller.system()))
        check = _per_call(checks, lambda _i: service.store.version())
        service.close()
    for step, calls, cost in (
        ("editor's registration of one dataset (guarded)", writes, guarded),
        ("the same by a caller cleared for everything (no checks)", writes, unguarded),
        ("the version check alone (store.version)", checks, check),
    ):
        report.add(step=step, calls=calls, cpu_us_per_call=round(cost, 1), vs_guarded_write=f"{cost / guarded:.2%}")
    report.note("CPU time of this process; each registration renames the dataset, so every one writes")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--checks", type=int, default=100_000)
    report = run(**vars(parser.parse_args()))
    report.print()
    report.save()


if __name__ == "__main__":
    main()
