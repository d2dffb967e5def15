from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest

from ansible_collections.stateful.kube.plugins.module_utils.k8s import pod_security

# The shape of the redis role's pod spec with its defaults (restricted), as the API takes it.
RESTRICTED_POD = {
    "securityContext": {"runAsNonRoot": True, "runAsUser": 999, "runAsGroup": 999, "fsGroup": 999,
                        "seccompProfile": {"type": "RuntimeDefault"}},
    "containers": [
        {"name": "redis", "image": "redis:7.2",
         "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
         "ports": [{"name": "redis", "containerPort": 6379}]},
        {"name": "heal", "image": "redis:7.2",
         "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}},
    ],
    "volumes": [{"name": "run", "emptyDir": {"medium": "Memory"}}, {"name": "config", "configMap": {"name": "r"}}],
}
# The nfs provisioner's Deployment pod spec as the module builds it by default.
PROVISIONER_POD = {
    "serviceAccountName": "nfs",
    "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
    "containers": [{"name": "nfs-client-provisioner", "image": "x",
                    "securityContext": {"allowPrivilegeEscalation": False},
                    "volumeMounts": [{"name": "nfs-client-root", "mountPath": "/persistentvolumes"}]}],
    "volumes": [{"name": "nfs-client-root", "nfs": {"server": "10.0.0.5", "path": "/srv"}}],
}


def fields(found):
    return [finding[0] for finding in found]


def test_the_level_is_the_enforce_label_and_privileged_without_one():
    assert pod_security.enforced_level({"metadata": {"labels": {pod_security.ENFORCE_LABEL: "baseline"}}}) == "baseline"
    assert pod_security.enforced_level({"metadata": {"name": "default"}}) == "privileged"
    assert pod_security.enforced_level(None) == "privileged"


def test_the_roles_defaults_pass_every_level():
    for level in pod_security.LEVELS:
        assert pod_security.violations(RESTRICTED_POD, level) == []


def test_a_pod_with_no_security_context_passes_baseline_and_restricted_names_each_field():
    pod = {"containers": [{"name": "c", "image": "busybox"}], "volumes": [{"name": "e", "emptyDir": {}}]}
    assert pod_security.violations(pod, "baseline") == []
    assert fields(pod_security.violations(pod, "restricted")) == [
        "spec.containers[0].securityContext.allowPrivilegeEscalation",
        "spec.containers[0].securityContext.runAsNonRoot",
        "spec.containers[0].securityContext.seccompProfile.type",
        "spec.containers[0].securityContext.capabilities.drop",
    ]


def test_a_container_may_not_undo_the_pods_non_root_nor_run_as_root():
    pod = copy.deepcopy(RESTRICTED_POD)
    pod["containers"][1]["securityContext"].update(runAsNonRoot=False, runAsUser=0)
    assert fields(pod_security.violations(pod, "restricted")) == [
        "spec.containers[1].securityContext.runAsNonRoot", "spec.containers[1].securityContext.runAsUser"]


def test_privilege_escalation_and_added_capabilities_are_named_per_container():
    pod = copy.deepcopy(RESTRICTED_POD)
    pod["containers"][0]["securityContext"]["allowPrivilegeEscalation"] = True
    pod["containers"][0]["securityContext"]["capabilities"]["add"] = ["NET_BIND_SERVICE", "CHOWN"]
    assert pod_security.violations(pod, "baseline") == []
    assert pod_security.violations(pod, "restricted") == [
        ("spec.containers[0].securityContext.allowPrivilegeEscalation", "must be false"),
        ("spec.containers[0].securityContext.capabilities.add", "may add only NET_BIND_SERVICE, not CHOWN"),
    ]


def test_baseline_refuses_host_namespaces_privileged_host_paths_ports_and_unconfined_seccomp():
    pod = copy.deepcopy(RESTRICTED_POD)
    pod["hostNetwork"] = True
    pod["securityContext"]["seccompProfile"]["type"] = "Unconfined"
    pod["containers"][0]["securityContext"].update(privileged=True, capabilities={"add": ["SYS_ADMIN"]})
    pod["containers"][0]["ports"][0]["hostPort"] = 6379
    pod["volumes"].append({"name": "host", "hostPath": {"path": "/"}})
    assert fields(pod_security.violations(pod, "baseline")) == [
        "spec.hostNetwork", "spec.securityContext.seccompProfile.type", "spec.volumes[host].hostPath",
        "spec.containers[0].securityContext.privileged", "spec.containers[0].securityContext.capabilities.add",
        "spec.containers[0].ports.hostPort",
    ]


def test_init_containers_are_checked_too():
    pod = copy.deepcopy(RESTRICTED_POD)
    pod["initContainers"] = [{"name": "prepare", "image": "x"}]
    assert "spec.initContainers[0].securityContext.allowPrivilegeEscalation" in fields(
        pod_security.violations(pod, "restricted"))


def test_the_provisioners_nfs_volume_passes_baseline_only():
    assert pod_security.violations(PROVISIONER_POD, "baseline") == []
    found = pod_security.violations(PROVISIONER_POD, "restricted")
    assert ("spec.volumes[nfs-client-root].nfs", "nfs volumes are not allowed") in found


def test_the_refusal_names_namespace_level_owner_and_fields():
    message = pod_security.refusal("restricted", "apps", "StatefulSet apps/redis",
                                   [("spec.containers[0].securityContext.allowPrivilegeEscalation", "must be false")])
    assert message.startswith('namespace apps enforces Pod Security "restricted", which would refuse the pods of '
                              "StatefulSet apps/redis: spec.containers[0].securityContext.allowPrivilegeEscalation "
                              "must be false. Nothing was changed.")


def test_an_unknown_level_is_a_programming_error():
    with pytest.raises(ValueError):
        pod_security.violations(RESTRICTED_POD, "strict")
