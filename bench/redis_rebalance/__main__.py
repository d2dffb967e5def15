"""Benchmark: 3 -> 4 masters holding 100,000 keys, ours vs redis-cli --cluster, same run.

    .venv/bin/python -m bench.redis_rebalance [--keys 100000] [--writers]

Two identical sets of 8 redis-server processes on 127.0.0.1 (the role's settings, a
password): each formed into 3 masters x 1 replica by our bootstrap and filled with the same
keys. Then the clock runs for one tool on each set:

- ours: redis_cluster_bootstrap's code with the direct transport, to 4 masters x 1 replica;
- redis-cli: ``--cluster add-node`` of the new master, ``add-node --cluster-slave`` of its
  replica, then ``--cluster rebalance --cluster-use-empty-masters``.

The clock stops when every member reports cluster_state:ok with all slots, knows all 8
nodes, and no member has an open slot. With ``--writers`` a redis-py cluster client writes
new keys without pause during both runs (its errors are counted). Prints both times.
"""

import argparse
import subprocess
import sys
import threading
import time

import redis

from testbed.testing import collections_path
from tests.support.redis_servers import Servers

sys.path.insert(0, str(collections_path()))

from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster import bootstrap  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.classify import Shape  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.direct import DirectTransport  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.transport import Member  # noqa: E402

PASSWORD = "bench-rebalance"
BASES = (7820, 7860)


def members_at(ports):
    return [Member("redis-%d" % i, "127.0.0.1", port, k8s_node="node-%d" % (i % 3 + 1), ordinal=i)
            for i, port in enumerate(ports)]


def converge(ports, masters):
    transport = DirectTransport(password=PASSWORD, timeout=30)
    try:
        result = bootstrap.run(transport, members_at(ports), Shape(masters, 1), password=PASSWORD, timeout=600,
                               batch=1000)[0]
    finally:
        transport.close()
    return result


def fill(port, keys):
    client = redis.RedisCluster(host="127.0.0.1", port=port, password=PASSWORD)
    pipe = client.pipeline()
    for i in range(keys):
        pipe.set("key:%d" % i, "value-%d" % i)
        if i % 5000 == 4999:
            pipe.execute()
    pipe.execute()
    client.close()


def settled(ports):
    for port in ports:
        node = redis.Redis(port=port, password=PASSWORD, decode_responses=True)
        info = node.execute_command("CLUSTER", "INFO")
        if ("cluster_state:ok" not in info or "cluster_slots_ok:16384" not in info
                or "cluster_known_nodes:%d" % len(ports) not in info):
            return False
        if "[" in node.execute_command("CLUSTER", "NODES"):  # an open (migrating/importing) slot
            return False
    return True


def redis_cli(*args):
    done = subprocess.run(["redis-cli", "-a", PASSWORD, "--no-auth-warning", "--cluster"] + list(args)
                          + ["--cluster-yes"], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError("redis-cli --cluster %s failed: %s" % (args[0], (done.stdout + done.stderr)[-2000:]))


def run_redis_cli(ports):
    existing = "127.0.0.1:%d" % ports[0]
    redis_cli("add-node", "127.0.0.1:%d" % ports[6], existing)
    new_id = redis.Redis(port=ports[6], password=PASSWORD, decode_responses=True).execute_command("CLUSTER", "MYID")
    # redis-cli refuses to go on until every node agrees: wait as an operator would
    wait_known(ports[:7])
    redis_cli("add-node", "127.0.0.1:%d" % ports[7], existing, "--cluster-slave", "--cluster-master-id", new_id)
    wait_known(ports)
    # a node that just joined refuses MIGRATE's keys (CLUSTERDOWN) until it reports ok itself
    while not all("cluster_state:ok" in redis.Redis(port=port, password=PASSWORD, decode_responses=True)
                  .execute_command("CLUSTER", "INFO") for port in ports):
        time.sleep(0.05)
    redis_cli("rebalance", existing, "--cluster-use-empty-masters")


def wait_known(ports):
    """Until every member knows all of ``ports`` (no handshake left) and their slots agree."""
    while True:
        views = []
        for port in ports:
            text = redis.Redis(port=port, password=PASSWORD, decode_responses=True).execute_command("CLUSTER", "NODES")
            lines = [line.split() for line in text.splitlines()]
            views.append(sorted((f[0], " ".join(f[8:])) for f in lines) if len(lines) == len(ports)
                         and not any("handshake" in f[2] for f in lines) else None)
        if all(view is not None and view == views[0] for view in views):
            return
        time.sleep(0.05)


class Writer(threading.Thread):
    def __init__(self, port):
        super().__init__(daemon=True)
        self.client = redis.RedisCluster(host="127.0.0.1", port=port, password=PASSWORD)
        self.stop = threading.Event()
        self.written = 0
        self.errors = 0
        self.client_bugs = 0

    def run(self):
        while not self.stop.is_set():
            try:
                self.client.set("w:%d" % self.written, "x")
                self.written += 1
            except redis.RedisError:
                self.errors += 1
            except AttributeError:  # redis-py's cluster client loses a new node's slots now and then (#2432)
                self.client_bugs += 1


def timed(tool, ports, writers):
    writer = Writer(ports[0]) if writers else None
    if writer:
        writer.start()
    started = time.monotonic()
    tool(ports)
    while not settled(ports):
        time.sleep(0.05)
    seconds = time.monotonic() - started
    if writer:
        writer.stop.set()
        writer.join(10)
    return seconds, writer


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.redis_rebalance", description=__doc__.split("\n")[0])
    parser.add_argument("--keys", type=int, default=100000)
    parser.add_argument("--writers", action="store_true")
    args = parser.parse_args(argv)
    with Servers(8, BASES[0], password=PASSWORD) as ours, Servers(8, BASES[1], password=PASSWORD) as theirs:
        ours.wait_writable()
        theirs.wait_writable()
        for servers in (ours, theirs):
            converge(servers.ports[:6], 3)
            fill(servers.ports[0], args.keys)
        mine, my_writer = timed(lambda ports: converge(ports, 4), ours.ports, args.writers)
        cli, cli_writer = timed(run_redis_cli, theirs.ports, args.writers)
    print("3 -> 4 masters (x1 replica) holding %d keys, to every member ok with no open slot" % args.keys)
    for name, seconds, writer in (("ours (direct)", mine, my_writer), ("redis-cli --cluster", cli, cli_writer)):
        extra = " (writer: %d writes, %d errors, %d redis-py AttributeErrors)" % (
            writer.written, writer.errors, writer.client_bugs) if writer else ""
        print("%-22s %7.2f s%s" % (name, seconds, extra))
    print("ratio redis-cli / ours %7.2f" % (cli / mine))
    return 0


if __name__ == "__main__":
    sys.exit(main())
