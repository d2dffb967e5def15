"""The bootstrap on the test bed: creation time of a 3x1 cluster with each transport.

    KUBECONFIG=.testbed/kubeconfig .venv/bin/python -m bench.redis_bootstrap --testbed

Per transport: a fresh namespace, the role with ``redis_cluster_bootstrap: false`` (six
Ready, fresh pods), then the module alone; prints the module's own timings. Claims are on
hostPath PersistentVolumes of a StorageClass made for the run (``static_storage``, shared
with the integration tests).
"""

import os
import shutil
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from testbed import config

TESTS = config.REPO_ROOT / "tests" / "integration" / "redis_cluster"
PASSWORD = "bench-%s" % uuid.uuid4().hex[:8]


@contextmanager
def static_storage(api_client, namespace, volumes=10, root="/tmp/stateful-kube-redis-pv"):
    """A StorageClass without provisioner and ``volumes`` hostPath PVs for ``namespace``; removed afterwards."""
    from kubernetes import client as k8s_client

    storage = k8s_client.StorageV1Api(api_client)
    core = k8s_client.CoreV1Api(api_client)
    name = "static-" + namespace
    folder = Path(root) / namespace
    storage.create_storage_class(k8s_client.V1StorageClass(
        metadata=k8s_client.V1ObjectMeta(name=name), provisioner="kubernetes.io/no-provisioner",
        volume_binding_mode="Immediate", reclaim_policy="Retain"))
    for i in range(volumes):
        path = folder / ("pv-%d" % i)
        os.makedirs(path, exist_ok=True)
        core.create_persistent_volume(k8s_client.V1PersistentVolume(
            metadata=k8s_client.V1ObjectMeta(name="%s-%d" % (name, i)),
            spec=k8s_client.V1PersistentVolumeSpec(
                storage_class_name=name, capacity={"storage": "1Gi"}, access_modes=["ReadWriteOnce"],
                persistent_volume_reclaim_policy="Retain",
                host_path=k8s_client.V1HostPathVolumeSource(path=str(path)))))
    try:
        yield name
    finally:
        for i in range(volumes):
            core.delete_persistent_volume("%s-%d" % (name, i))
        storage.delete_storage_class(name)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def namespace(core, prefix):
    from kubernetes import client as k8s_client

    name = "%s-%s" % (prefix, uuid.uuid4().hex[:5])
    core.create_namespace(k8s_client.V1Namespace(metadata=k8s_client.V1ObjectMeta(name=name)))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not core.list_namespaced_service_account(
            name, field_selector="metadata.name=default").items:
        time.sleep(0.1)
    try:
        yield name
    finally:
        core.delete_namespace(name)


def measure(transport):
    from kubernetes import client as k8s_client
    from kubernetes import config as k8s_config

    from testbed.testing import kubeconfig_path, run_playbook

    kubeconfig = kubeconfig_path().resolve()
    api_client = k8s_config.new_client_from_config(config_file=str(kubeconfig))
    core = k8s_client.CoreV1Api(api_client)
    with namespace(core, "bench-redis-" + transport) as ns, static_storage(api_client, ns) as storage_class:
        pods = run_playbook(TESTS / "playbooks" / "redis_cluster.yml", kubeconfig, extra_vars={
            "redis_cluster_namespace": ns, "redis_cluster_password": PASSWORD,
            "redis_cluster_storage_class": storage_class, "redis_cluster_bootstrap": False})
        if pods.rc != 0:
            raise RuntimeError("the role failed: %s" % pods.stdout[-3000:])
        started = time.monotonic()
        result = run_playbook(TESTS / "playbooks" / "bootstrap.yml", kubeconfig, extra_vars={"bootstrap_args": {
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
