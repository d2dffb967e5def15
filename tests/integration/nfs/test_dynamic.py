"""Dynamic provisioning on the test bed: claims bind, folders appear on the export, deletes archive or remove."""

import uuid

from kubernetes import client
from nfs_helpers import EXPORT, NFS_SERVER, STORAGE_CLASS, nfs_cat

from tests.support.waiting import wait_for


def _claim(core_v1, namespace, name, storage_class=STORAGE_CLASS):
    core_v1.create_namespaced_persistent_volume_claim(namespace, {
        "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name},
        "spec": {"accessModes": ["ReadWriteMany"], "storageClassName": storage_class,
                 "resources": {"requests": {"storage": "10Mi"}}},
    })

    def bound():
        claim = core_v1.read_namespaced_persistent_volume_claim(name, namespace)
        return claim.spec.volume_name if claim.status.phase == "Bound" else None

    return core_v1.read_persistent_volume(wait_for("claim %s/%s to bind" % (namespace, name), bound))


def _gone(core_v1, pv_name):
    try:
        core_v1.read_persistent_volume(pv_name)
    except client.ApiException as e:
        return e.status == 404
    return False


def test_a_claim_binds_and_its_folder_appears_on_the_export(storage, core_v1, namespace, clean_export):
    pv = _claim(core_v1, namespace, "data")
    folder = "%s-data-%s" % (namespace, pv.metadata.name)
    assert pv.spec.nfs.server == NFS_SERVER
    assert pv.spec.nfs.path == "%s/%s" % (EXPORT, folder)
    assert pv.spec.storage_class_name == STORAGE_CLASS
    assert pv.spec.persistent_volume_reclaim_policy == "Delete"
    assert pv.metadata.annotations["pv.kubernetes.io/provisioned-by"] == "k8s-sigs.io/nfs-subdir-external-provisioner"
    assert (EXPORT / folder).is_dir()


def test_a_pod_writes_into_its_volume_and_the_file_is_readable_over_nfs(storage, core_v1, namespace, clean_export):
    pv = _claim(core_v1, namespace, "web")
    text = "written by a pod %s" % uuid.uuid4().hex
    core_v1.create_namespaced_pod(namespace, {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "writer"},
        "spec": {
            "restartPolicy": "Never",
            "containers": [{"name": "writer", "image": "busybox",
                            "command": ["sh", "-c", "echo '%s' > /data/hello.txt" % text],
                            "volumeMounts": [{"name": "data", "mountPath": "/data"}]}],
            "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "web"}}],
        },
    })
    wait_for("pod writer to succeed",
             lambda: core_v1.read_namespaced_pod("writer", namespace).status.phase == "Succeeded", timeout=60)
    assert nfs_cat(pv.spec.nfs.path + "/hello.txt") == text + "\n"


def test_deleting_a_claim_archives_its_folder_with_archive_on_delete(storage, core_v1, namespace, clean_export):
    pv = _claim(core_v1, namespace, "keep")
    folder = EXPORT / ("%s-keep-%s" % (namespace, pv.metadata.name))
    (folder / "data.txt").write_text("precious")
    core_v1.delete_namespaced_persistent_volume_claim("keep", namespace)
    wait_for("PV %s to be deleted" % pv.metadata.name, lambda: _gone(core_v1, pv.metadata.name))
    archived = EXPORT / ("archived-" + folder.name)
    assert not folder.exists()
    assert (archived / "data.txt").read_text() == "precious"


def test_without_archive_on_delete_the_folder_is_removed_and_absent_cleans_up(
        nfs_module, storage, core_v1, namespace, clean_export):
    # A second provisioner instance in the test's namespace, with its own provisioner name
    # so the two never act on each other's claims.
    options = {
        "namespace": namespace, "name": "noarchive", "nfs_server": NFS_SERVER, "nfs_path": str(EXPORT),
        "provisioner_name": "stateful.kube/%s" % namespace,
        "storage_class": {"name": "%s-noarchive" % namespace, "archive_on_delete": False},
        "wait": True,
    }
    rc, first = nfs_module(**options)
    assert rc == 0 and first["changed"], first.get("msg")
    assert first["actions"] == [
        "create ServiceAccount %s/noarchive" % namespace, "create ClusterRole %s-noarchive" % namespace,
        "create ClusterRoleBinding %s-noarchive" % namespace, "create Role %s/noarchive-leader-election" % namespace,
        "create RoleBinding %s/noarchive-leader-election" % namespace, "create Deployment %s/noarchive" % namespace,
        "create StorageClass %s-noarchive" % namespace]
    rc, again = nfs_module(**options)
    assert rc == 0 and again["changed"] is False and again["actions"] == []

    pv = _claim(core_v1, namespace, "scratch", storage_class="%s-noarchive" % namespace)
    folder = EXPORT / ("%s-scratch-%s" % (namespace, pv.metadata.name))
    assert folder.is_dir()
    core_v1.delete_namespaced_persistent_volume_claim("scratch", namespace)
    wait_for("PV %s to be deleted" % pv.metadata.name, lambda: _gone(core_v1, pv.metadata.name))
    assert not folder.exists()
    assert not (EXPORT / ("archived-" + folder.name)).exists()

    # Changing an immutable StorageClass parameter fails, naming the way out, and changes nothing.
    rc, refused = nfs_module(**dict(options, storage_class=dict(options["storage_class"], archive_on_delete=True)))
    assert rc != 0 and refused["changed"] is False
    assert "does not allow to change on a StorageClass" in refused["msg"]
    assert "recreate_storageclass: true" in refused["msg"]

    # state: absent removes what the module made, and nothing else.
    rc, removed = nfs_module(namespace=namespace, name="noarchive", state="absent",
                             storage_class={"name": "%s-noarchive" % namespace})
    assert rc == 0 and removed["changed"]
    assert [a.split(" ")[0] for a in removed["actions"]] == ["delete"] * 7
    storage_api = client.StorageV1Api(core_v1.api_client)
    rbac_api = client.RbacAuthorizationV1Api(core_v1.api_client)
    assert "%s-noarchive" % namespace not in [c.metadata.name for c in storage_api.list_storage_class().items]
    assert "%s-noarchive" % namespace not in [r.metadata.name for r in rbac_api.list_cluster_role().items]
    assert core_v1.list_namespaced_service_account(namespace, field_selector="metadata.name=noarchive").items == []
    # The shared provisioner and its class are untouched, and the namespace is still there.
    assert STORAGE_CLASS in [c.metadata.name for c in storage_api.list_storage_class().items]
    assert core_v1.read_namespace(namespace).status.phase == "Active"
    rc, nothing = nfs_module(namespace=namespace, name="noarchive", state="absent",
                             storage_class={"name": "%s-noarchive" % namespace})
    assert rc == 0 and nothing["changed"] is False
