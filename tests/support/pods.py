"""Who a pod's processes run as, seen two ways: a command run in the container (exec, as a
user would check), and the container's main process itself (/proc/<pid>/status on the test
bed, whose container IDs are ``testbed://<pid>``)."""

from pathlib import Path


def exec_output(core_v1, namespace, pod, container, command):
    """stdout and stderr of ``command`` run in the container (the API server's exec, as kubectl exec)."""
    from kubernetes.stream import stream

    return stream(core_v1.connect_get_namespaced_pod_exec, pod, namespace, container=container, command=command,
                  stderr=True, stdin=False, stdout=True, tty=False)


def main_process_status(pod, container):
    """``{field: [values]}`` of /proc/<pid>/status of the container's main process (Uid, Gid, Groups, NoNewPrivs…)."""
    statuses = {s.name: s for s in (pod.status.container_statuses or []) + (pod.status.init_container_statuses or [])}
    container_id = statuses[container].container_id or ""
    assert container_id.startswith("testbed://"), "not a test bed container: %r" % container_id
    fields = {}
    for line in Path("/proc/%s/status" % container_id[len("testbed://"):]).read_text().splitlines():
        key, value = line.split(":", 1)
        fields[key] = value.split()
    return fields


def runs_as(fields):
    """``(uid, gid, groups, no_new_privs)`` from main_process_status (real ids)."""
    return int(fields["Uid"][0]), int(fields["Gid"][0]), sorted(int(g) for g in fields["Groups"]), \
        fields["NoNewPrivs"] == ["1"]
