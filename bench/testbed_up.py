"""python -m bench.testbed_up: seconds from `testbed down` to three Ready nodes, binaries cached.

The test bed's own target (issue: under 15 s). A measurement, not a test: it takes the
bed down and brings it up ROUNDS times (the release of $KUBE_VERSION), prints each time
and the median, and leaves the bed up. Run it only while holding the bed (it restarts it).
"""

import statistics
import subprocess
import sys
import time

from testbed import cluster, config

ROUNDS = 3


def main():
    version = config.kube_version()
    cluster.kube_binaries(version)  # a build, if any, is not what this measures
    seconds = []
    for _ in range(ROUNDS):
        subprocess.run([sys.executable, "-m", "testbed", "down"], check=True, capture_output=True)
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "testbed", "up"], check=True, capture_output=True)
        seconds.append(time.monotonic() - started)
        if cluster.nodes_ready() != len(config.NODE_NAMES):
            raise SystemExit("testbed up returned without %d Ready nodes" % len(config.NODE_NAMES))
    print("testbed up (Kubernetes %s, binaries cached) to %d Ready nodes: median %.1f s over %d rounds (%s); "
          "target < 15 s" % (version, len(config.NODE_NAMES), statistics.median(seconds), ROUNDS,
                             ", ".join("%.1f" % s for s in seconds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
