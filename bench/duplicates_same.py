"""Whether duplicate detection through the service gives the same results as another
version of the code: a speed change must not change a single pair, score or piece of
evidence.

Run: ``python -m bench.duplicates_same --size 10000 --write before.json`` on the code
before, then ``python -m bench.duplicates_same --size 10000 --against before.json`` on
the code after (the cached registries of ``bench.registries``, seed 1). For an
administrator and the public caller, datasets and systems, it records digests of the
matrix the caller's rows give (keys, names, texts, departments, projects, holdings,
fields, tokens, weights, every field name as read), every candidate pair's scores and
parts bit for bit (``detect``), the text spaces, the clusters with their evidence as
``to_dict`` gives them, and a proposal's matches; ``--against`` names what differs and
exits 1 if anything does.
"""

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from bench.registries import prepare
from registry.analysis.duplicates import Proposal, check_proposal, clusters, detect, text_spaces
from registry.analysis.fieldnames import FieldName
from registry.analysis.holdings import item_matrix
from registry.service import Caller, RegistryService
from registry.store.sqlite import SQLiteStore

CALLERS = {"admin": Caller.system(), "public": Caller.public()}
PROPOSAL = Proposal(name="人口基础信息管理系统", fields=["公民身份号码", "姓名", "性别", "出生日期", "户籍地址"])


def _digest(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest()
    return hashlib.sha256(json.dumps(value, ensure_ascii=False).encode()).hexdigest()


def _read(f: FieldName | None) -> Any:
    """A field name as read, its key sets in a fixed order (a set's repr is not)."""
    if f is None:
        return None
    return [f.raw, f.folded, f.stem, f.klass, f.weight, f.suffix, _read(f.base), f.token, f.group] + [
        sorted(keys) for keys in (f.keys, f.whole_keys, f.part_keys)
    ]


def outputs(store: Path) -> dict[str, Any]:
    service = RegistryService(SQLiteStore(store))
    found: dict[str, Any] = {}
    for who, caller in CALLERS.items():
        for kind in ("Dataset", "System"):
            m = item_matrix(service.rows(caller), kind)
            part = f"{who}/{kind}"
            found[f"{part}/matrix"] = {
                **{name: _digest(getattr(m, name)) for name in ("keys", "names", "texts", "functions")},
                **{name: _digest(getattr(m, name)) for name in ("department_keys", "department_names", "project_keys")},
                **{name: _digest(getattr(m, name)) for name in ("departments", "projects", "weights")},
                **{name: _digest(getattr(m, name)) for name in ("vocabulary", "token_keys")},
                **{
                    f"{name}.{a}": _digest(getattr(getattr(m, name), a))
                    for name in ("holdings", "fields")
                    for a in ("indptr", "indices", "data")
                },
                "field_names": _digest([_read(f) for f in m.field_names]),
            }
            scores, mask, labels = detect(m)
            arrays = {"left": scores.left, "right": scores.right, "total": scores.total, "refined": scores.refined}
            arrays |= {"accepted": mask, "labels": labels} | {f"part.{p}": v for p, v in scores.parts.items()}
            found[f"{part}/scores"] = {name: _digest(v) for name, v in arrays.items()}
            found[f"{part}/spaces"] = {
                f"{name}.{a}": _digest(getattr(space.matrix, a))
                for name, space in text_spaces(m).items()
                for a in ("indptr", "indices", "data")
            }
            found[f"{part}/clusters"] = [c.to_dict() for c in clusters(m)]
        found[f"{who}/proposal"] = [match.to_dict() for match in check_proposal(service.rows(caller), PROPOSAL)]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--write", type=Path)
    parser.add_argument("--against", type=Path)
    args = parser.parse_args()
    found = outputs(prepare(args.size, args.seed).store)
    if args.write:
        args.write.write_text(json.dumps(found, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    if args.against:
        before = json.loads(args.against.read_text(encoding="utf-8"))
        differ = sorted(k for k in set(before) | set(found) if before.get(k) != found.get(k))
        for part in differ:
            print(f"differs: {part}")
        print(f"{len(found) - len(differ)} of {len(found)} parts identical")
        sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
