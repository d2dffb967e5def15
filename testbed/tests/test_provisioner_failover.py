"""The NFS provisioner stand-in with two replicas: one leads through a Lease and provisions;
when its pod is deleted, the other takes over and provisions the next claim.

The share is a host folder (the bed maps an NFS export to the folder it serves), so no
NFS server is needed here; tests/integration/nfs covers the real one.
"""

import uuid

from kubernetes import client

from testbed.tests.support import pod_log, wait_until

IMAGE = "registry.k8s.io/sig-storage/nfs-subdir-external-provisioner:v4.0.2"
LEASE_SECONDS = 15  # the stand-in's lease duration (upstream's)


def _objects(namespace, provisioner, share):
    account = {"metadata": {"name": "provisioner"}}
    cluster_role = {"metadata": {"name": namespace + "-provisioner"}, "rules": [
        {"apiGroups": [""], "resources": ["persistentvolumes"], "verbs": ["get", "list", "watch", "create", "delete"]},
        {"apiGroups": [""], "resources": ["persistentvolumeclaims"], "verbs": ["get", "list", "watch", "update"]},
        {"apiGroups": ["storage.k8s.io"], "resources": ["storageclasses"], "verbs": ["get", "list", "watch"]},
        {"apiGroups": [""], "resources": ["events"], "verbs": ["create", "update", "patch"]}]}
    role = {"metadata": {"name": "leader-election"}, "rules": [
        {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"],
         "verbs": ["get", "list", "watch", "create", "update", "patch"]}]}
    labels = {"app": "provisioner"}
    deployment = {"metadata": {"name": "provisioner"}, "spec": {
        "replicas": 2, "selector": {"matchLabels": labels},
        "template": {"metadata": {"labels": labels}, "spec": {
            "serviceAccountName": "provisioner", "terminationGracePeriodSeconds": 5,
            "containers": [{"name": "main", "image": IMAGE,
                            "env": [{"name": "PROVISIONER_NAME", "value": provisioner},
                                    {"name": "NFS_SERVER", "value": "10.244.0.1"},
                                    {"name": "NFS_PATH", "value": str(share)}],
                            "volumeMounts": [{"name": "root", "mountPath": "/persistentvolumes"}]}],
            "volumes": [{"name": "root", "nfs": {"server": "10.244.0.1", "path": str(share)}}]}}}}
    return account, cluster_role, role, deployment


def _claim(core_v1, namespace, name, storage_class):
    core_v1.create_namespaced_persistent_volume_claim(namespace, {"metadata": {"name": name}, "spec": {
        "accessModes": ["ReadWriteMany"], "storageClassName": storage_class,
        "resources": {"requests": {"storage": "1Mi"}}}})
    return wait_until(lambda: core_v1.read_namespaced_persistent_volume_claim(name, namespace).status.phase == "Bound"
                      and core_v1.read_namespaced_persistent_volume_claim(name, namespace), 60, "claim %s bound" % name)


def test_the_second_replica_takes_over_when_the_leaders_pod_is_deleted(api_client, core_v1, apps_v1, namespace,
                                                                       tmp_path):
    rbac, storage = client.RbacAuthorizationV1Api(api_client), client.StorageV1Api(api_client)
    coordination = client.CoordinationV1Api(api_client)
    provisioner = "testbed.local/nfs-%s" % uuid.uuid4().hex[:6]
    share = tmp_path / "share"
    share.mkdir()
    account, cluster_role, role, deployment = _objects(namespace, provisioner, share)
    core_v1.create_namespaced_service_account(namespace, account)
    rbac.create_cluster_role(cluster_role)
    storage_class = "nfs-" + namespace
    try:
        rbac.create_cluster_role_binding({"metadata": {"name": cluster_role["metadata"]["name"]},
                                          "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                                      "name": cluster_role["metadata"]["name"]},
                                          "subjects": [{"kind": "ServiceAccount", "name": "provisioner",
                                                        "namespace": namespace}]})
        rbac.create_namespaced_role(namespace, role)
        rbac.create_namespaced_role_binding(namespace, {
            "metadata": {"name": "leader-election"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "leader-election"},
            "subjects": [{"kind": "ServiceAccount", "name": "provisioner", "namespace": namespace}]})
        storage.create_storage_class({"metadata": {"name": storage_class}, "provisioner": provisioner,
                                      "parameters": {"archiveOnDelete": "false"}})
        apps_v1.create_namespaced_deployment(namespace, deployment)

        def running_pods():
            pods = core_v1.list_namespaced_pod(namespace, label_selector="app=provisioner").items
            return [p.metadata.name for p in pods if p.status.phase == "Running" and not p.metadata.deletion_timestamp]

        first, second = wait_until(lambda: len(running_pods()) == 2 and running_pods(), 60, "two provisioner pods")
        lease_name = provisioner.replace("/", "-")

        def holder():
            try:
                identity = coordination.read_namespaced_lease(lease_name, namespace).spec.holder_identity or ""
            except client.ApiException:
                return ""
            return identity.rsplit("_", 1)[0]

        leader = wait_until(lambda: holder() in (first, second) and holder(), 30, "a provisioner pod holds the lease")
        follower = second if leader == first else first
        claim = _claim(core_v1, namespace, "before", storage_class)
        assert (share / ("%s-before-%s" % (namespace, claim.spec.volume_name))).is_dir()
        assert "leading" not in pod_log(namespace, follower, "main")

        core_v1.delete_namespaced_pod(leader, namespace)
        # The deleted leader releases the lease on SIGTERM; the follower (or the Deployment's
        # replacement pod) takes it at its next try, well within the lease duration.
        new_leader = wait_until(lambda: holder() not in ("", leader) and holder(), LEASE_SECONDS,
                                "another provisioner takes the lease within its duration")
        assert new_leader != leader
        claim = _claim(core_v1, namespace, "after", storage_class)
        assert (share / ("%s-after-%s" % (namespace, claim.spec.volume_name))).is_dir()
        lease = coordination.read_namespaced_lease(lease_name, namespace)
        assert lease.spec.lease_transitions >= 1
    finally:
        storage.delete_storage_class(storage_class)
        rbac.delete_cluster_role(cluster_role["metadata"]["name"])
        try:
            rbac.delete_cluster_role_binding(cluster_role["metadata"]["name"])
        except client.ApiException:
            pass
        for volume in core_v1.list_persistent_volume().items:
            if (volume.spec.claim_ref and volume.spec.claim_ref.namespace == namespace):
                core_v1.delete_persistent_volume(volume.metadata.name)
