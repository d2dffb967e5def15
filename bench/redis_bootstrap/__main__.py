"""Benchmark: our bootstrap (direct transport) vs ``redis-cli --cluster create``, same run.

    .venv/bin/python -m bench.redis_bootstrap [--sizes 6,12,30] [--repeat 3]
    KUBECONFIG=.testbed/kubeconfig .venv/bin/python -m bench.redis_bootstrap --testbed

Each repetition starts two identical sets of fresh redis-server processes on 127.0.0.1
(the role's redis.conf settings, a password), waits until they listen and are past
Redis's 2-second writable delay after start, then starts the clock and the tool. An
independent observer (the same for both) stops the clock when every member reports
``cluster_state:ok`` with all slots and knows every member, and when every replica's link
is up. Prints medians and the ratio redis-cli / ours.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

from bench.redis_bootstrap.observer import Observer
from testbed.testing import collections_path
from tests.support.redis_servers import Servers

sys.path.insert(0, str(collections_path()))

from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster import bootstrap  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.classify import Shape  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.direct import DirectTransport  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.transport import (  # noqa: E402
    members_from_addresses,
)

PASSWORD = "bench-password"
TOOL_TIMEOUT = 120


def run_ours(servers):
    transport = DirectTransport(password=PASSWORD)
    try:
        result = bootstrap.run(transport, members_from_addresses(servers.addresses),
                                  Shape(masters=servers.count // 2, replicas=1), password=PASSWORD,
                                  timeout=TOOL_TIMEOUT)[0]
    finally:
        transport.close()
    if result["state"] != "empty" or not result["changed"]:
        raise RuntimeError("ours: expected to create from empty, got %s" % result["state"])


def run_redis_cli(servers):
    argv = ["redis-cli", "--cluster", "create"] + servers.addresses + ["--cluster-replicas", "1", "--cluster-yes"]
    env = dict(os.environ, REDISCLI_AUTH=PASSWORD)
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=TOOL_TIMEOUT, check=False)
    if done.returncode != 0:
        raise RuntimeError("redis-cli --cluster create failed: %s" % done.stdout[-500:])


TOOLS = {"ours": (run_ours, 7100), "redis-cli": (run_redis_cli, 7400)}


def measure(tool, size):
    run, base_port = TOOLS[tool]
    with Servers(size, base_port, password=PASSWORD) as servers:
        servers.wait_writable()
        observer = Observer(servers.ports, size // 2, password=PASSWORD, timeout=TOOL_TIMEOUT)
        observer.start_clock()
        run(servers)
        exited = time.monotonic() - observer.t0
        ok, links = observer.wait()
    if ok is None or links is None:
        raise RuntimeError("%s at %d nodes: the cluster was not up within %d s" % (tool, size, TOOL_TIMEOUT))
    return {"ok": ok, "links": links, "exit": exited}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.redis_bootstrap", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="6,12,30")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--testbed", action="store_true",
                        help="instead: time the bootstrap with each transport on the test bed (KUBECONFIG)")
    args = parser.parse_args(argv)
    if args.testbed:
        from bench.redis_bootstrap import testbed

        testbed.main()
        return 0
    sizes = [int(size) for size in args.sizes.split(",")]
    version = subprocess.run(["redis-server", "--version"], capture_output=True, text=True, check=True).stdout
    print("redis bootstrap benchmark: %s nodes (masters = nodes/2, 1 replica each), %d repetitions, %s"
          % (",".join(map(str, sizes)), args.repeat, version.split()[2]))
    print("%5s  %-10s %9s %9s %9s" % ("nodes", "tool", "ok s", "links s", "exit s"))
    for size in sizes:
        samples = {"ours": [], "redis-cli": []}
        for repetition in range(args.repeat):
            order = ["ours", "redis-cli"] if repetition % 2 == 0 else ["redis-cli", "ours"]
            for tool in order:
                samples[tool].append(measure(tool, size))
        medians = {}
        for tool in ("ours", "redis-cli"):
            medians[tool] = {key: statistics.median(s[key] for s in samples[tool]) for key in ("ok", "links", "exit")}
            row = medians[tool]
            print("%5d  %-10s %9.3f %9.3f %9.3f" % (size, tool, row["ok"], row["links"], row["exit"]))
        ratio_ok = medians["redis-cli"]["ok"] / medians["ours"]["ok"]
        ratio_links = medians["redis-cli"]["links"] / medians["ours"]["links"]
        print("%5d  ratio redis-cli/ours: %.1fx to cluster_state:ok, %.1fx to all replica links up"
              % (size, ratio_ok, ratio_links))
    return 0


if __name__ == "__main__":
    sys.exit(main())
