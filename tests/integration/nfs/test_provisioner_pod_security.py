"""The NFS provisioner and Pod Security admission (on by default from Kubernetes 1.25).

Restricted refuses the provisioner's pod for its nfs volume, so the module refuses first,
before making anything. At baseline it runs, also as a non-root uid, and the claims it
makes are written by restricted pods (uid 999), as the Redis and MySQL pods do.
"""

import os
from pathlib import Path

import pytest
from kubernetes import client
from nfs_helpers import EXPORT, NFS_SERVER

from tests.support.cluster import enforcing
from tests.support.pods import main_process_status, runs_as
from tests.support.waiting import wait_for

# Pod Security admission is GA, and on by default, from 1.25: older servers have nothing to test.
pytestmark = pytest.mark.kubernetes("1.25")

NOBODY = 65534
RESTRICTED_POD = {"runAsNonRoot": True, "runAsUser": 999, "runAsGroup": 999,
                  "seccompProfile": {"type": "RuntimeDefault"}}
RESTRICTED_CONTAINER = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}


def _options(namespace, **extra):
    # A provisioner instance of the test's own, with its own provisioner name and class.
    options = {"namespace": namespace, "name": "psa", "nfs_server": NFS_SERVER, "nfs_path": str(EXPORT),
               "provisioner_name": "stateful.kube/%s" % namespace, "storage_class": {"name": "%s-psa" % namespace}}
    options.update(extra)
    return options


def test_a_restricted_namespace_is_refused_before_anything_is_made(nfs_module, storage, core_v1, namespace):
    core_v1.patch_namespace(namespace, {"metadata": {"labels": enforcing("restricted")}})
    rc, refused = nfs_module(**_options(namespace, wait=True))
    assert rc != 0 and refused["changed"] is False
    assert 'namespace %s enforces Pod Security "restricted"' % namespace in refused["msg"]
    assert "Deployment %s/psa" % namespace in refused["msg"]
    assert "spec.volumes[nfs-client-root].nfs nfs volumes are not allowed" in refused["msg"]
    assert core_v1.list_namespaced_service_account(namespace, field_selector="metadata.name=psa").items == []
    storage_api = client.StorageV1Api(core_v1.api_client)
    assert "%s-psa" % namespace not in [c.metadata.name for c in storage_api.list_storage_class().items]


def test_at_baseline_a_non_root_provisioner_serves_claims_that_restricted_pods_write(
        nfs_module, storage, core_v1, namespace, clean_export):
    core_v1.patch_namespace(namespace, {"metadata": {"labels": enforcing("baseline")}})
    non_root = {"runAsNonRoot": True, "runAsUser": NOBODY, "runAsGroup": NOBODY,
                "seccompProfile": {"type": "RuntimeDefault"}}
    options = _options(namespace, pod_security_context=non_root, security_context=RESTRICTED_CONTAINER,
                       wait=True, validate=True)
    rc, made = nfs_module(**options)
    assert rc == 0 and made["changed"], made.get("msg")
    assert made["validation"]["volume"]
    (pod,) = core_v1.list_namespaced_pod(namespace, label_selector="app.kubernetes.io/instance=psa").items
    assert runs_as(main_process_status(pod, "nfs-client-provisioner")) == (NOBODY, NOBODY, [], True)

    # A pod of a restricted namespace (uid 999) writes into a claim of this class.
    with_claims = "%s-w" % namespace
    core_v1.create_namespace({"metadata": {"name": with_claims, "labels": enforcing("restricted")}})
    try:
        wait_for("the default ServiceAccount of %s" % with_claims, lambda: core_v1.list_namespaced_service_account(
            with_claims, field_selector="metadata.name=default").items)
        core_v1.create_namespaced_persistent_volume_claim(with_claims, {
            "metadata": {"name": "data"},
            "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "%s-psa" % namespace,
                     "resources": {"requests": {"storage": "10Mi"}}}})
        core_v1.create_namespaced_pod(with_claims, {
            "metadata": {"name": "writer"},
            "spec": {"restartPolicy": "Never", "securityContext": RESTRICTED_POD,
                     "containers": [{"name": "writer", "image": "busybox", "securityContext": RESTRICTED_CONTAINER,
                                     "command": ["sh", "-c", "echo written > /data/hello.txt"],
                                     "volumeMounts": [{"name": "data", "mountPath": "/data"}]}],
                     "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]}})
        wait_for("pod writer to succeed", lambda: core_v1.read_namespaced_pod(
            "writer", with_claims).status.phase == "Succeeded", timeout=60)
        claim = core_v1.read_namespaced_persistent_volume_claim("data", with_claims)
        folder = Path(core_v1.read_persistent_volume(claim.spec.volume_name).spec.nfs.path)
        assert os.stat(folder).st_uid == NOBODY  # made by the provisioner, as its uid
        assert os.stat(folder / "hello.txt").st_uid == 999
        assert (folder / "hello.txt").read_text() == "written\n"
    finally:
        # The claim goes first, while its provisioner is there to delete its PV.
        core_v1.delete_namespace(with_claims)
        wait_for("the claims of %s to be gone with their PVs" % with_claims,
                 lambda: not [v for v in core_v1.list_persistent_volume().items
                              if v.spec.claim_ref and v.spec.claim_ref.namespace == with_claims], timeout=90)
        rc, removed = nfs_module(namespace=namespace, name="psa", state="absent",
                                 storage_class={"name": "%s-psa" % namespace})
        assert rc == 0, removed.get("msg")
