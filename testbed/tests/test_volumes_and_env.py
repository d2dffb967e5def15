"""Volumes and environment: what the containers see, read back from their own output."""

import json
import os

from testbed.tests.support import container_status, create_pod, events, pod_log, wait_until

SHOW = r"""
for f in $FILES; do printf '%s %s %s\n' "$f" "$(stat -L -c %a "$f")" "$(cat "$f" | tr '\n' '|')"; done
echo "env NAME=$POD_NAME NS=$POD_NS IP=$POD_IP NODE=$NODE HOST=$HOST_IP COLOR=$COLOR PW=$PW CFG_a=$CFG_a"
echo "env KUBERNETES=$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT HOSTNAME=$(hostname)"
echo done
sleep 3600
"""


def lines(namespace, pod):
    output = wait_until(lambda: "done" in pod_log(namespace, pod, "main") and pod_log(namespace, pod, "main"), 30,
                        "pod %s printing what it sees" % pod)
    return output.splitlines()


def test_config_map_secret_downward_projected_and_empty_dir_volumes_with_env(core_v1, namespace):
    core_v1.create_namespaced_config_map(namespace, {"metadata": {"name": "settings"},
                                                     "data": {"a": "alpha", "b": "beta", "color": "blue"}})
    core_v1.create_namespaced_secret(namespace, {"metadata": {"name": "creds"}, "stringData": {"password": "pw1"}})
    files = " ".join([
        "/config/renamed/a.txt", "/secret/password", "/info/labels", "/info/name", "/all/a", "/all/password",
        "/all/ns", "/all/token", "/shared/from-init", "/single/b",
    ])
    create_pod(core_v1, namespace, {
        "metadata": {"name": "viewer", "labels": {"app": "viewer"}},
        "spec": {
            "terminationGracePeriodSeconds": 1,
            "initContainers": [{"name": "init", "image": "busybox",
                                "command": ["sh", "-c", "echo hi > /shared/from-init"],
                                "volumeMounts": [{"name": "shared", "mountPath": "/shared"}]}],
            "containers": [{
                "name": "main", "image": "busybox", "command": ["sh", "-c", SHOW],
                "env": [
                    {"name": "FILES", "value": files},
                    {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                    {"name": "POD_NS", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
                    {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
                    {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
                    {"name": "HOST_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.hostIP"}}},
                    {"name": "COLOR", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "color"}}},
                    {"name": "PW", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "password"}}},
                ],
                "envFrom": [{"configMapRef": {"name": "settings"}, "prefix": "CFG_"}],
                "volumeMounts": [
                    {"name": "config", "mountPath": "/config"},
                    {"name": "secret", "mountPath": "/secret", "readOnly": True},
                    {"name": "info", "mountPath": "/info"},
                    {"name": "all", "mountPath": "/all"},
                    {"name": "shared", "mountPath": "/shared"},
                    {"name": "config", "mountPath": "/single/b", "subPath": "b"},
                ],
            }],
            "volumes": [
                {"name": "config", "configMap": {"name": "settings", "defaultMode": 0o600,
                                                 "items": [{"key": "a", "path": "renamed/a.txt", "mode": 0o640},
                                                           {"key": "b", "path": "b"}]}},
                {"name": "secret", "secret": {"secretName": "creds", "defaultMode": 0o400}},
                {"name": "info", "downwardAPI": {"items": [
                    {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
                    {"path": "name", "fieldRef": {"fieldPath": "metadata.name"}}]}},
                {"name": "all", "projected": {"sources": [
                    {"configMap": {"name": "settings", "items": [{"key": "a", "path": "a"}]}},
                    {"secret": {"name": "creds"}},
                    {"downwardAPI": {"items": [{"path": "ns", "fieldRef": {"fieldPath": "metadata.namespace"}}]}},
                    {"serviceAccountToken": {"path": "token", "expirationSeconds": 3600}}]}},
                {"name": "shared", "emptyDir": {}},
            ],
        },
    })
    seen = {}
    env = []
    for line in lines(namespace, "viewer"):
        if line.startswith("env "):
            env.append(line)
        elif line != "done":
            path, mode, content = line.split(" ", 2)
            seen[path] = (mode, content.rstrip("|"))
    pod = core_v1.read_namespaced_pod("viewer", namespace)
    assert seen["/config/renamed/a.txt"] == ("640", "alpha")
    assert seen["/single/b"] == ("600", "beta")
    assert seen["/secret/password"] == ("400", "pw1")
    assert seen["/info/labels"] == ("644", 'app="viewer"')
    assert seen["/info/name"][1] == "viewer"
    assert seen["/all/a"][1] == "alpha" and seen["/all/password"][1] == "pw1" and seen["/all/ns"][1] == namespace
    assert seen["/all/token"][1].count(".") == 2, "a JWT from the TokenRequest API"
    assert seen["/shared/from-init"][1] == "hi"
    assert env[0] == "env NAME=viewer NS=%s IP=%s NODE=%s HOST=%s COLOR=blue PW=pw1 CFG_a=alpha" % (
        namespace, pod.status.pod_ip, pod.spec.node_name, pod.status.host_ip)
    assert env[1] == "env KUBERNETES=10.244.0.1:6443 HOSTNAME=viewer"


def test_missing_config_map_key_is_a_create_container_config_error(core_v1, namespace):
    core_v1.create_namespaced_config_map(namespace, {"metadata": {"name": "settings"}, "data": {"a": "1"}})
    create_pod(core_v1, namespace, {"metadata": {"name": "misconfigured"}, "spec": {"containers": [{
        "name": "main", "image": "busybox", "command": ["sleep", "3600"],
        "env": [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "missing"}}}]}]}})

    def config_error():
        status = container_status(core_v1.read_namespaced_pod("misconfigured", namespace), "main")
        waiting = status and status.state.waiting
        return waiting if waiting and waiting.reason == "CreateContainerConfigError" else None

    waiting = wait_until(config_error, 30, "CreateContainerConfigError")
    assert "missing" in waiting.message and "settings" in waiting.message
    assert any(e.reason == "Failed" for e in events(core_v1, namespace, "misconfigured"))


def test_nfs_volume_is_served_from_the_export_path_and_a_missing_export_fails_to_mount(core_v1, namespace, tmp_path):
    export = tmp_path / "export"
    export.mkdir()
    (export / "hello.txt").write_text("from nfs")
    create_pod(core_v1, namespace, {"metadata": {"name": "nfs-reader"}, "spec": {
        "terminationGracePeriodSeconds": 1,
        "containers": [{"name": "main", "image": "busybox",
                        "command": ["sh", "-c", "cat /mnt/hello.txt; echo; echo written > /mnt/out.txt; echo done; "
                                                "sleep 3600"],
                        "volumeMounts": [{"name": "share", "mountPath": "/mnt"}]}],
        "volumes": [{"name": "share", "nfs": {"server": "10.244.0.1", "path": str(export)}}]}})
    assert lines(namespace, "nfs-reader")[0] == "from nfs"
    assert (export / "out.txt").read_text() == "written\n"

    create_pod(core_v1, namespace, {"metadata": {"name": "nfs-missing"}, "spec": {
        "containers": [{"name": "main", "image": "busybox", "command": ["sleep", "3600"],
                        "volumeMounts": [{"name": "share", "mountPath": "/mnt"}]}],
        "volumes": [{"name": "share", "nfs": {"server": "10.244.0.1", "path": str(tmp_path / "absent")}}]}})
    failed = wait_until(lambda: [e for e in events(core_v1, namespace, "nfs-missing") if e.reason == "FailedMount"],
                        30, "a FailedMount event")
    assert str(tmp_path / "absent") in failed[0].message
    status = container_status(core_v1.read_namespaced_pod("nfs-missing", namespace), "main")
    assert status.state.waiting.reason == "ContainerCreating"


def test_unbound_claim_keeps_the_pod_container_creating_until_it_binds(core_v1, namespace, tmp_path):
    core_v1.create_namespaced_persistent_volume_claim(namespace, {"metadata": {"name": "late"}, "spec": {
        "accessModes": ["ReadWriteOnce"], "storageClassName": "testbed-late",
        "resources": {"requests": {"storage": "1Gi"}}}})
    # nodeName set: the scheduler (which would wait for the claim) is bypassed, as a kubelet may see it.
    create_pod(core_v1, namespace, {"metadata": {"name": "waiter"}, "spec": {
        "nodeName": "node-1", "terminationGracePeriodSeconds": 1,
        "containers": [{"name": "main", "image": "busybox", "command": ["sh", "-c", "ls /data; echo done; sleep 3600"],
                        "volumeMounts": [{"name": "data", "mountPath": "/data"}]}],
        "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "late"}}]}})
    failed = wait_until(lambda: [e for e in events(core_v1, namespace, "waiter") if e.reason == "FailedMount"], 30,
                        "a FailedMount event while the claim is unbound")
    assert "not bound" in failed[0].message
    (tmp_path / "marker").write_text("")
    name = "%s-late" % namespace
    core_v1.create_persistent_volume({"metadata": {"name": name}, "spec": {
        "capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"], "storageClassName": "testbed-late",
        "claimRef": {"namespace": namespace, "name": "late"}, "hostPath": {"path": str(tmp_path)}}})
    try:
        assert lines(namespace, "waiter")[0] == "marker"
    finally:
        core_v1.delete_persistent_volume(name)


def test_pod_state_on_disk_names_the_pod(core_v1, namespace):
    create_pod(core_v1, namespace, {"metadata": {"name": "recorded"}, "spec": {
        "terminationGracePeriodSeconds": 1,
        "containers": [{"name": "main", "image": "busybox", "command": ["sh", "-c", "echo done; sleep 3600"]}]}})
    lines(namespace, "recorded")
    pod = core_v1.read_namespaced_pod("recorded", namespace)
    from testbed.node import state

    record = state.find_pod(namespace, "recorded")
    assert record.uid == pod.metadata.uid and record.ip == pod.status.pod_ip and record.node == pod.spec.node_name
    assert json.loads((record.directory / "pod.json").read_text())["netns"] == record.netns
    assert os.path.exists("/run/netns/%s" % record.netns)
