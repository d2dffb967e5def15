from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.nfs import manifests


def _rules(manifest):
    return dict(((group, resource), sorted(rule["verbs"]))
                for rule in manifest["rules"] for group in rule["apiGroups"] for resource in rule["resources"])


def test_objects_come_in_creation_order_and_all_carry_the_owner_label(dynamic_params):
    objects = manifests.dynamic_objects(dynamic_params)
    assert [o["kind"] for o in objects] == [
        "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Deployment", "StorageClass"]
    for o in objects:
        assert o["metadata"]["labels"][manifests.OWNER_LABEL] == "storage.nfs-prov"


def test_cluster_role_grants_only_what_the_provisioner_needs(dynamic_params):
    rules = _rules(manifests.cluster_role(dynamic_params))
    assert rules == {
        ("", "persistentvolumes"): ["create", "delete", "get", "list", "watch"],
        ("", "persistentvolumeclaims"): ["get", "list", "update", "watch"],
        ("storage.k8s.io", "storageclasses"): ["get", "list", "watch"],
        ("", "events"): ["create", "patch", "update"],
    }


def test_leader_election_uses_a_namespaced_role_on_leases_not_endpoints(dynamic_params):
    role = manifests.leader_election_role(dynamic_params)
    assert role["kind"] == "Role" and role["metadata"]["namespace"] == "storage"
    assert list(_rules(role)) == [("coordination.k8s.io", "leases")]
    binding = manifests.leader_election_binding(dynamic_params)
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                                  "name": "nfs-prov-leader-election"}
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "nfs-prov", "namespace": "storage"}]


def test_cluster_scoped_rbac_names_include_the_namespace(dynamic_params):
    assert manifests.cluster_role(dynamic_params)["metadata"]["name"] == "storage-nfs-prov"
    assert "namespace" not in manifests.cluster_role_binding(dynamic_params)["metadata"]
    assert manifests.cluster_role_binding(dynamic_params)["roleRef"]["name"] == "storage-nfs-prov"


def test_deployment_runs_one_provisioner_with_the_export_mounted(dynamic_params):
    deployment = manifests.deployment(dynamic_params)
    spec = deployment["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"] == {"type": "Recreate"}
    assert spec["selector"]["matchLabels"] == spec["template"]["metadata"]["labels"]
    pod = spec["template"]["spec"]
    assert pod["serviceAccountName"] == "nfs-prov"
    container = pod["containers"][0]
    assert container["image"] == dynamic_params["image"]
    assert container["env"] == [
        {"name": "PROVISIONER_NAME", "value": "k8s-sigs.io/nfs-subdir-external-provisioner"},
        {"name": "NFS_SERVER", "value": "10.0.0.5"},
        {"name": "NFS_PATH", "value": "/srv/nfs/kube"},
    ]
    assert container["volumeMounts"] == [{"name": "nfs-client-root", "mountPath": "/persistentvolumes"}]
    assert pod["volumes"] == [{"name": "nfs-client-root", "nfs": {"server": "10.0.0.5", "path": "/srv/nfs/kube"}}]


def test_storage_class_carries_every_option(dynamic_params):
    dynamic_params["storage_class"].update({
        "default_class": True, "reclaim_policy": "Retain", "volume_binding_mode": "WaitForFirstConsumer",
        "allow_volume_expansion": True, "mount_options": ["nfsvers=4.1", "hard"], "archive_on_delete": False,
        "on_delete": "retain", "path_pattern": "${.PVC.namespace}/${.PVC.annotations.nfs.io/storage-path}",
    })
    storage_class = manifests.storage_class(dynamic_params)
    assert storage_class["provisioner"] == "k8s-sigs.io/nfs-subdir-external-provisioner"
    assert storage_class["metadata"]["annotations"] == {manifests.DEFAULT_CLASS_ANNOTATION: "true"}
    assert storage_class["parameters"] == {
        "archiveOnDelete": "false", "onDelete": "retain",
        "pathPattern": "${.PVC.namespace}/${.PVC.annotations.nfs.io/storage-path}",
    }
    assert storage_class["reclaimPolicy"] == "Retain"
    assert storage_class["volumeBindingMode"] == "WaitForFirstConsumer"
    assert storage_class["allowVolumeExpansion"] is True
    assert storage_class["mountOptions"] == ["nfsvers=4.1", "hard"]


def test_storage_class_defaults_archive_and_leave_unset_options_out(dynamic_params):
    storage_class = manifests.storage_class(dynamic_params)
    assert storage_class["parameters"] == {"archiveOnDelete": "true"}
    assert "mountOptions" not in storage_class
    assert storage_class["metadata"]["annotations"] == {manifests.DEFAULT_CLASS_ANNOTATION: "false"}


def test_the_security_contexts_are_the_options(dynamic_params):
    dynamic_params["pod_security_context"] = {"runAsNonRoot": True, "runAsUser": 65534}
    pod = manifests.deployment(dynamic_params)["spec"]["template"]["spec"]
    assert pod["securityContext"] == {"runAsNonRoot": True, "runAsUser": 65534}
    assert pod["containers"][0]["securityContext"] == {"allowPrivilegeEscalation": False}
