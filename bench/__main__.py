"""python -m bench: every benchmark, each printing ratios against its peer tool.

Benchmarks measure; they do not pass or fail on a number (speed targets are read from
their output, never asserted in tests).
"""

import subprocess
import sys

BENCHMARKS = ("bench.testbed_up", "bench.pod_start", "bench.redis_bootstrap", "bench.redis_heal",
              "bench.redis_rebalance", "bench.wait_ordered", "bench.module_noop", "bench.site_rerun")


def main():
    failed = []
    for name in BENCHMARKS:
        print("=" * 20, name, flush=True)
        if subprocess.run([sys.executable, "-m", name]).returncode != 0:
            failed.append(name)
    if failed:
        print("benchmarks that did not complete: %s" % ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
