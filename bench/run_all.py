"""Every benchmark, one after the other, each in its own interpreter.

Run: ``python -m bench.run_all [--quick]`` (``--quick``: sizes 1k and 10k only, no 1M run).

The order matters for the figures only through the machine's load: each benchmark runs
alone. The generated registries are built once (``bench/results/data``) and reused.
A benchmark that fails is reported and the rest still run; the exit code says whether
all of them finished.
"""

import argparse
import subprocess
import sys
import time

from bench.common import console

FULL = [
    ["bench.import_throughput", "--sizes", "1000,10000,100000"],
    ["bench.projection", "--sizes", "1000,10000,100000"],
    ["bench.analyses", "--sizes", "1000,10000,100000"],
    ["bench.duplicates", "--sizes", "1000,10000,100000"],
    ["bench.national"],
    ["bench.graphql"],
]
QUICK = [
    ["bench.import_throughput", "--sizes", "1000,10000"],
    ["bench.projection", "--sizes", "1000,10000"],
    ["bench.analyses", "--sizes", "1000,10000"],
    ["bench.duplicates", "--sizes", "1000,10000"],
    ["bench.national", "--datasets", "100000", "--stream-size", "10000"],
    ["bench.graphql"],
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    failed = []
    for command in QUICK if args.quick else FULL:
        console.rule(" ".join(command))
        started = time.perf_counter()
        code = subprocess.call([sys.executable, "-m", *command])
        console.print(f"[dim]{command[0]}: exit {code} after {time.perf_counter() - started:.0f} s[/dim]")
        if code:
            failed.append(command[0])
    if failed:
        console.print(f"[red]failed: {', '.join(failed)}[/red]")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
