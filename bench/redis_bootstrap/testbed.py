"""The bootstrap on the test bed: creation time of a 3x1 cluster with each transport.

    KUBECONFIG=.testbed/kubeconfig .venv/bin/python -m bench.redis_bootstrap --testbed

Per transport: a fresh namespace, the role with ``redis_cluster_bootstrap: false`` (six
Ready, fresh pods), then the module alone; prints the module's own timings. Claims are on
hostPath PersistentVolumes of a StorageClass made for the run (tests/support, shared
with the integration tests).
"""

import time
import uuid

from tests.support import PLAYBOOKS
from tests.support.cluster import fresh_namespace, static_storage

PASSWORD = "bench-%s" % uuid.uuid4().hex[:8]


def measure(transport):
    from kubernetes import client as k8s_client
    from kubernetes import config as k8s_config

    from testbed.testing import kubeconfig_path, run_playbook

    kubeconfig = kubeconfig_path().resolve()
    api_client = k8s_config.new_client_from_config(config_file=str(kubeconfig))
    core = k8s_client.CoreV1Api(api_client)
    with fresh_namespace(core, "bench-redis-" + transport) as ns, static_storage(api_client, ns) as storage_class:
        pods = run_playbook(PLAYBOOKS / "redis_cluster.yml", kubeconfig, extra_vars={
            "redis_cluster_namespace": ns, "redis_cluster_password": PASSWORD,
            "redis_cluster_storage_class": storage_class, "redis_cluster_bootstrap": False})
        if pods.rc != 0:
            raise RuntimeError("the role failed: %s" % pods.stdout[-3000:])
        started = time.monotonic()
        result = run_playbook(PLAYBOOKS / "redis_cluster_bootstrap.yml", kubeconfig, extra_vars={"bootstrap_args": {
            "name": "redis", "namespace": ns, "password": PASSWORD, "transport": transport}})
        wall = time.monotonic() - started
        found = result.task_results("Call the module with the test's options")
        if not found or found[0].get("failed") or found[0].get("state") != "empty":
            raise RuntimeError("the bootstrap failed: %s" % (found[0].get("msg") if found else result.stdout[-3000:]))
        return found[0]["timings"], wall


def main():
    print("redis_cluster_bootstrap on the test bed: 6 fresh pods -> 3 masters x 1 replica")
    for transport in ("exec", "direct"):
        timings, wall = measure(transport)
        phases = ", ".join("%s %.2f" % (phase, seconds) for phase, seconds in timings.items() if phase != "total")
        print("%-6s module total %.2f s (ansible-playbook wall %.1f s): %s" % (transport, timings["total"], wall,
                                                                              phases))
