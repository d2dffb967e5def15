"""Static mode on the test bed: a StatefulSet's claims bind to PVs made before it existed."""

import pytest
from nfs_helpers import EXPORT, NFS_SERVER

from tests.support.claims import wait_bound
from tests.support.manifests import claim_template, statefulset
from tests.support.waiting import wait_for


def test_a_statefulsets_claims_bind_to_the_pre_created_pvs(
        nfs_module, storage, core_v1, apps_v1, namespace, clean_export):
    options = {
        "mode": "static", "namespace": namespace, "nfs_server": NFS_SERVER, "nfs_path": str(EXPORT),
        "static": {"statefulset": "web", "claim_template": "data", "replicas": 3, "size": "100Mi"},
    }
    rc, check = nfs_module(check=True, **options)
    assert rc == 0 and check["changed"] and len(check["actions"]) == 3
    assert core_v1.list_persistent_volume(label_selector="stateful.kube/nfs-static=%s.web.data" % namespace).items == []

    rc, made = nfs_module(**options)
    assert rc == 0 and made["changed"]
    assert made["actions"] == ["create PersistentVolume %s-data-web-%d" % (namespace, n) for n in range(3)]
    # The helper pod made every folder on the NFS server (on the test bed, this host).
    assert sorted(made["directories_created"]) == sorted(made["directories"])
    for directory in made["directories"]:
        assert directory.startswith(str(EXPORT) + "/") and (EXPORT / directory.rsplit("/", 1)[1]).is_dir()
    rc, again = nfs_module(**options)
    assert rc == 0 and again["changed"] is False and again["directories_created"] == []

    apps_v1.create_namespaced_stateful_set(namespace, {
        "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web"},
        "spec": {
            "serviceName": "web", "replicas": 3, "podManagementPolicy": "Parallel",
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{
                "name": "web", "image": "busybox", "command": ["sh", "-c", "hostname > /data/owner; sleep 3600"],
                "volumeMounts": [{"name": "data", "mountPath": "/data"}]}]}},
            "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                "accessModes": ["ReadWriteOnce"], "storageClassName": "",
                "resources": {"requests": {"storage": "100Mi"}}}}],
        },
    })

    def all_bound():
        claims = {c.metadata.name: c for c in core_v1.list_namespaced_persistent_volume_claim(namespace).items}
        return len(claims) == 3 and all(c.status.phase == "Bound" for c in claims.values()) and claims

    claims = wait_for("3 claims to bind", all_bound, timeout=90)
    assert {name: claim.spec.volume_name for name, claim in claims.items()} == {
        "data-web-%d" % n: "%s-data-web-%d" % (namespace, n) for n in range(3)}
    owner_file = EXPORT / ("%s-data-web-2" % namespace) / "owner"
    wait_for("web-2 to write its owner file", owner_file.exists)
    assert owner_file.read_text().strip() == "web-2"

    # Bound PVs are kept by state: absent unless forced.
    rc, kept = nfs_module(**dict(options, state="absent"))
    assert rc == 0 and kept["changed"] is False and len(kept["kept"]) == 3
    assert len(core_v1.list_persistent_volume(label_selector="stateful.kube/nfs-static=%s.web.data" % namespace)
               .items) == 3
    rc, forced = nfs_module(**dict(options, state="absent", force=True))
    assert rc == 0 and forced["actions"] == ["delete PersistentVolume %s-data-web-%d" % (namespace, n)
                                             for n in range(3)]
    # The data stays on the NFS server.
    assert owner_file.exists()


@pytest.mark.kubernetes("1.27")  # spec.ordinals.start
def test_a_statefulset_starting_at_ordinal_5_binds_the_pvs_made_from_first_ordinal_5(
        nfs_module, storage, core_v1, apps_v1, namespace, clean_export):
    options = {
        "mode": "static", "namespace": namespace, "nfs_server": NFS_SERVER, "nfs_path": str(EXPORT),
        "static": {"statefulset": "web", "claim_template": "data", "replicas": 2, "first_ordinal": 5,
                   "size": "100Mi"},
    }
    rc, made = nfs_module(**options)
    assert rc == 0 and made["changed"], made.get("msg")
    assert made["actions"] == ["create PersistentVolume %s-data-web-%d" % (namespace, n) for n in (5, 6)]
    volumes = core_v1.list_persistent_volume(label_selector="stateful.kube/nfs-static=%s.web.data" % namespace).items
    assert sorted((v.spec.claim_ref.namespace, v.spec.claim_ref.name) for v in volumes) == [
        (namespace, "data-web-5"), (namespace, "data-web-6")]

    manifest = statefulset("web", namespace, replicas=2, policy="Parallel", ordinals_start=5,
                           script="hostname > /data/owner; touch /tmp/ready; exec sleep 3600",
                           claims=[claim_template("data", "")])
    apps_v1.create_namespaced_stateful_set(namespace, manifest)

    # The controller's claims for ordinals 5 and 6 are the ones the PVs wait for, and bind to them.
    assert wait_bound(core_v1, namespace, ["data-web-5", "data-web-6"]) == {
        "data-web-%d" % n: "%s-data-web-%d" % (namespace, n) for n in (5, 6)}
    owner_file = EXPORT / ("%s-data-web-6" % namespace) / "owner"
    wait_for("web-6 to write its owner file", owner_file.exists)
    assert owner_file.read_text().strip() == "web-6"

    rc, forced = nfs_module(**dict(options, state="absent", force=True))
    assert rc == 0 and forced["actions"] == ["delete PersistentVolume %s-data-web-%d" % (namespace, n) for n in (5, 6)]
