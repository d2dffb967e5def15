"""The heal measured on real redis-server processes, without Kubernetes (``--local``).

Each member is a redis-server on its own loopback address (127.0.1.N, then 127.0.2.N after
the "restart": new addresses, same data folders), announcing the name ``rN``. The role's
own ``files/heal.sh`` runs next to each member, in a private mount namespace (its
``/run/redis/password``), with ``getent`` answering from a hosts file that maps ``rN`` to
the member's current address: what the pod's cluster DNS does on the test bed.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

import redis

from testbed import config
from testbed.testing import collections_path

sys.path.insert(0, str(collections_path()))

from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster import bootstrap  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.classify import Shape  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.direct import DirectTransport  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.transport import Member  # noqa: E402

PORT = 6390
PASSWORD = "bench-heal"
HEAL_SCRIPT = config.REPO_ROOT / "roles" / "redis_cluster" / "files" / "heal.sh"
GETENT = """#!/bin/sh
[ "$1" = hosts ] || exit 2
while read -r address name; do
    [ "$name" = "$2" ] && { echo "$address $name"; exit 0; }
done < "%s"
exit 2
"""


def address(generation, i):
    return "127.0.%d.%d" % (generation, i + 10)


class Cluster:
    def __init__(self, size, keys=2000):
        self.size = size
        self.keys = keys
        self.root = tempfile.mkdtemp(prefix="redis-heal-bench-")
        self.hosts = os.path.join(self.root, "hosts")
        with open(os.path.join(self.root, "getent"), "w") as f:
            f.write(GETENT % self.hosts)
        os.chmod(os.path.join(self.root, "getent"), 0o755)
        self.processes = []

    def start(self, generation):
        self.generation = generation
        with open(self.hosts, "w") as f:
            f.writelines("%s r%d\n" % (address(generation, i), i) for i in range(self.size))
        for i in range(self.size):
            folder = os.path.join(self.root, str(i))
            os.makedirs(folder, exist_ok=True)
            ip = address(generation, i)
            self.processes.append(subprocess.Popen(
                ["redis-server", "--port", str(PORT), "--bind", ip, "--bind-source-addr", ip, "--dir", folder,
                 "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000",
                 "--appendonly", "yes", "--requirepass", PASSWORD, "--masterauth", PASSWORD, "--protected-mode", "no",
                 "--cluster-announce-hostname", "r%d" % i, "--logfile", "redis.log"]))
        while not all(self._answers(i) for i in range(self.size)):
            time.sleep(0.01)

    def _answers(self, i):
        try:
            return redis.Redis(host=address(self.generation, i), port=PORT, password=PASSWORD,
                               socket_timeout=1).ping()
        except (redis.RedisError, OSError):
            return False

    def members(self):
        return [Member("redis-%d" % i, address(self.generation, i), PORT, k8s_node="node-%d" % (i % 3), ordinal=i)
                for i in range(self.size)]

    def converge(self):
        transport = DirectTransport(password=PASSWORD)
        try:
            return bootstrap.run(transport, self.members(), Shape(self.size // 2, 1), password=PASSWORD,
                                 timeout=300)[0]
        finally:
            transport.close()

    def fill(self):
        client = redis.RedisCluster(host=address(self.generation, 0), port=PORT, password=PASSWORD)
        for i in range(self.keys):
            client.set("heal:%d" % i, i)
        client.close()

    def missing(self):
        client = redis.RedisCluster(host=address(self.generation, 0), port=PORT, password=PASSWORD)
        lost = [i for i in range(self.keys) if client.get("heal:%d" % i) != str(i).encode()]
        client.close()
        return lost

    def all_ok(self):
        for i in range(self.size):
            try:
                info = redis.Redis(host=address(self.generation, i), port=PORT, password=PASSWORD,
                                   socket_timeout=1).execute_command("CLUSTER", "INFO")
            except (redis.RedisError, OSError):
                return False
            if b"cluster_state:ok" not in info:
                return False
            replication = redis.Redis(host=address(self.generation, i), port=PORT, password=PASSWORD,
                                      socket_timeout=1).execute_command("INFO", "replication")
            if b"role:slave" in replication and b"master_link_status:up" not in replication:
                return False
        return True

    def heal_sidecars(self):
        env = dict(os.environ, PATH="%s:%s" % (self.root, os.environ["PATH"]), REDIS_PORT=str(PORT))
        script = ('mount -t tmpfs none /run/redis && printf %%s %s > /run/redis/password && exec sh %s'
                  % (PASSWORD, HEAL_SCRIPT))
        for i in range(self.size):
            self.processes.append(subprocess.Popen(
                ["unshare", "-m", "sh", "-c", script], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                env=dict(env, REDIS_CLI_ARGS="-h %s" % address(self.generation, i))))

    def stop(self):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait()
        self.processes = []

    def remove(self):
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def restart_and_time(cluster, heal):
    """Stop every member, start it again at a new address; seconds from all listening to all ok."""
    cluster.stop()
    cluster.start(cluster.generation % 2 + 1)
    started = time.monotonic()
    heal(cluster)
    while not cluster.all_ok():
        if time.monotonic() - started > 300:
            raise RuntimeError("not ok within 300 s")
        time.sleep(0.05)
    return time.monotonic() - started


def measure(size):
    os.makedirs("/run/redis", exist_ok=True)
    cluster = Cluster(size)
    try:
        cluster.start(1)
        cluster.converge()
        cluster.fill()
        self_heal = restart_and_time(cluster, lambda c: c.heal_sidecars())
        lost_self = cluster.missing()
        # stopped again (sidecars too: the re-run has none) and back at the first addresses
        rerun = restart_and_time(cluster, lambda c: c.converge())
        lost_rerun = cluster.missing()
    finally:
        cluster.remove()
    return self_heal, rerun, lost_self, lost_rerun
