"""Small helpers shared by the test bed's own tests: waiting, logs from the node agent, hostPath PVs."""

import time

from kubernetes import client

from testbed.node import state


def wait_until(check, timeout, what):
    """Poll ``check()`` until it returns something truthy; fail naming ``what`` and the last value."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("%s: not reached after %.0f s (last value: %r)" % (what, timeout, value))


def is_ready(pod):
    for condition in pod.status.conditions or ():
        if condition.type == "Ready":
            return condition.status == "True"
    return False


def container_status(pod, name):
    for status in (pod.status.container_statuses or []) + (pod.status.init_container_statuses or []):
        if status.name == name:
            return status
    return None


def pod_log(namespace, name, container):
    """Everything the container wrote so far (all runs), read from the node agent's state folder."""
    record = state.find_pod(namespace, name)
    if record is None:
        return ""
    return "".join(state.log_path(record, container, run).read_text(errors="replace")
                   for run in state.log_runs(record, container))


def events(core_v1, namespace, name):
    selector = "involvedObject.name=%s" % name
    return core_v1.list_namespaced_event(namespace, field_selector=selector).items


def create_pod(core_v1, namespace, manifest):
    """Create a pod; retried while a new namespace's ServiceAccount has no token yet (Kubernetes 1.20 asks so)."""
    manifest.setdefault("apiVersion", "v1")
    manifest.setdefault("kind", "Pod")
    deadline = time.monotonic() + 15
    while True:
        try:
            return core_v1.create_namespaced_pod(namespace, manifest)
        except client.ApiException as e:
            if "No API token found" not in (e.body or "") or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def host_path_volumes(core_v1, folder, claims, storage_class):
    """One hostPath PV per claim ``(namespace, name)``, pre-bound to it; returns the PV names."""
    names = []
    for namespace, claim in claims:
        path = folder / claim
        path.mkdir(parents=True, exist_ok=True)
        name = "%s-%s" % (namespace, claim)
        core_v1.create_persistent_volume(client.V1PersistentVolume(
            metadata=client.V1ObjectMeta(name=name),
            spec=client.V1PersistentVolumeSpec(
                capacity={"storage": "1Gi"},
                access_modes=["ReadWriteOnce"],
                storage_class_name=storage_class,
                claim_ref=client.V1ObjectReference(namespace=namespace, name=claim),
                host_path=client.V1HostPathVolumeSource(path=str(path)),
            ),
        ))
        names.append(name)
    return names
