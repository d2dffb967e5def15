"""Containers run as their securityContext says, read back from the processes and their output."""

from pathlib import Path

from testbed.tests.support import container_status, create_pod, pod_log, wait_until

SHOW = r"""
echo "ids $(id -u) $(id -g) $(id -G | tr ' ' ,)"
echo "secret $(cat /secret/key) $(stat -L -c '%a %g' /secret/key)"
echo "shared $(cat /shared/from-init) $(stat -c '%u' /shared/from-init)"
grep NoNewPrivs /proc/self/status | tr '\t' ' '
echo done
sleep 3600
"""


def test_user_groups_fs_group_and_no_new_privs_apply_to_the_processes_and_volumes(core_v1, namespace):
    core_v1.create_namespaced_secret(namespace, {"metadata": {"name": "creds"}, "stringData": {"key": "s3cret"}})
    create_pod(core_v1, namespace, {"metadata": {"name": "user"}, "spec": {
        "terminationGracePeriodSeconds": 1,
        "securityContext": {"runAsUser": 1234, "runAsGroup": 2345, "fsGroup": 3456, "supplementalGroups": [4567]},
        "initContainers": [{"name": "init", "image": "busybox", "command": ["sh", "-c", "echo hi > /shared/from-init"],
                            "volumeMounts": [{"name": "shared", "mountPath": "/shared"}]}],
        "containers": [{"name": "main", "image": "busybox", "command": ["sh", "-c", SHOW],
                        "securityContext": {"allowPrivilegeEscalation": False},
                        "volumeMounts": [{"name": "secret", "mountPath": "/secret", "readOnly": True},
                                         {"name": "shared", "mountPath": "/shared"}]}],
        "volumes": [{"name": "secret", "secret": {"secretName": "creds", "defaultMode": 0o400}},
                    {"name": "shared", "emptyDir": {}}]}})
    output = wait_until(lambda: "done" in pod_log(namespace, "user", "main") and pod_log(namespace, "user", "main"),
                        30, "pod user printing what it sees")
    assert "ids 1234 2345 2345,3456,4567" in output
    assert "secret s3cret 440 3456" in output  # 0400 becomes 0440 for the fsGroup, as the kubelet does
    assert "shared hi 1234" in output  # the init container wrote the emptyDir as the same user
    assert "NoNewPrivs: 1" in output
    pod = core_v1.read_namespaced_pod("user", namespace)
    pid = container_status(pod, "main").container_id[len("testbed://"):]
    status = dict(line.split(":", 1) for line in Path("/proc/%s/status" % pid).read_text().splitlines())
    assert status["Uid"].split()[:2] == ["1234", "1234"] and status["Gid"].split()[:2] == ["2345", "2345"]


def test_run_as_non_root_without_a_user_is_refused_as_the_kubelet_refuses_it(core_v1, namespace):
    create_pod(core_v1, namespace, {"metadata": {"name": "rootless"}, "spec": {
        "securityContext": {"runAsNonRoot": True},
        "containers": [{"name": "main", "image": "busybox", "command": ["sleep", "3600"]}]}})

    def config_error():
        status = container_status(core_v1.read_namespaced_pod("rootless", namespace), "main")
        waiting = status and status.state.waiting
        return waiting if waiting and waiting.reason == "CreateContainerConfigError" else None

    waiting = wait_until(config_error, 30, "CreateContainerConfigError")
    assert waiting.message == "container has runAsNonRoot and image will run as root (pod: rootless, container: main)"
