from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.nfs import static
from ansible_collections.stateful.kube.plugins.module_utils.nfs.plan import decide, plan_static

OWNER = "data.redis.data"


def _observed(served, params, bound=()):
    found = {}
    for pv in static.static_volumes(params):
        ordinal = int(pv["metadata"]["labels"][static.ORDINAL_LABEL])
        found[pv["metadata"]["name"]] = served(pv, phase="Bound" if ordinal in bound else "Available")
    return found


def test_one_pv_per_ordinal_pre_bound_to_the_claim_the_statefulset_will_make(static_params):
    volumes = static.static_volumes(static_params)
    assert [v["metadata"]["name"] for v in volumes] == ["data-data-redis-0", "data-data-redis-1", "data-data-redis-2"]
    assert [v["spec"]["claimRef"]["name"] for v in volumes] == ["data-redis-0", "data-redis-1", "data-redis-2"]
    assert {v["spec"]["claimRef"]["namespace"] for v in volumes} == {"data"}
    assert [v["spec"]["nfs"] for v in volumes] == [
        {"server": "10.0.0.5", "path": "/srv/nfs/kube/data-data-redis-%d" % n} for n in range(3)]
    spec = volumes[0]["spec"]
    assert spec["capacity"] == {"storage": "1Gi"}
    assert spec["accessModes"] == ["ReadWriteOnce"]
    assert spec["persistentVolumeReclaimPolicy"] == "Retain"
    assert "storageClassName" not in spec  # "" matches claims of class "", and the API would drop it anyway
    assert volumes[2]["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "stateful.kube",
                                                static.STATIC_OWNER_LABEL: OWNER, static.ORDINAL_LABEL: "2"}


def test_ordinal_ten_is_named_as_a_number_not_padded(static_params):
    static_params["static"]["replicas"] = 11
    assert static.static_volumes(static_params)[10]["spec"]["claimRef"]["name"] == "data-redis-10"


def test_plan_creates_missing_pvs_and_keeps_existing_ones(static_params, served):
    observed = _observed(served, static_params)
    del observed["data-data-redis-1"]
    actions, problems, kept = plan_static(static.static_volumes(static_params), observed, OWNER, "present")
    assert ([(a["action"], a["object"]) for a in actions], problems, kept) == (
        [("create", "PersistentVolume data-data-redis-1")], [], [])


def test_bigger_size_updates_in_place_even_when_bound(static_params, served):
    observed = _observed(served, static_params, bound=(0, 1, 2))
    static_params["static"]["size"] = "2Gi"
    actions, problems, kept = plan_static(static.static_volumes(static_params), observed, OWNER, "present")
    assert problems == []
    assert [a["action"] for a in actions] == ["update"] * 3


def test_a_bound_pv_whose_source_changed_is_left_alone_without_force(static_params, served):
    observed = _observed(served, static_params, bound=(0,))
    static_params["nfs_path"] = "/srv/other"
    actions, problems, kept = plan_static(static.static_volumes(static_params), observed, OWNER, "present")
    assert [(a["action"], a["object"]) for a in actions] == [
        ("recreate", "PersistentVolume data-data-redis-1"), ("recreate", "PersistentVolume data-data-redis-2")]
    assert problems == ["PersistentVolume data-data-redis-0 is bound to data/data-redis-0 and its NFS source or "
                        "claim differs from the request: it is left as it is; force: true deletes and recreates it "
                        "(the claim must then be recreated too)"]
    actions, problems, kept = plan_static(
        static.static_volumes(static_params), observed, OWNER, "present", force=True)
    assert problems == [] and [a["action"] for a in actions] == ["recreate"] * 3


def test_absent_keeps_bound_pvs_unless_forced(static_params, served):
    observed = _observed(served, static_params, bound=(0, 2))
    actions, problems, kept = plan_static([], observed, OWNER, "absent")
    assert [(a["action"], a["object"]) for a in actions] == [("delete", "PersistentVolume data-data-redis-1")]
    assert kept == [
        "PersistentVolume data-data-redis-0 is bound to data/data-redis-0: kept (force: true deletes it; the data "
        "on the NFS server stays either way)",
        "PersistentVolume data-data-redis-2 is bound to data/data-redis-2: kept (force: true deletes it; the data "
        "on the NFS server stays either way)"]
    actions, problems, kept = plan_static([], observed, OWNER, "absent", force=True)
    assert len(actions) == 3 and kept == []


def test_absent_never_deletes_a_pv_without_our_label(static_params, served):
    observed = _observed(served, static_params)
    observed["data-data-redis-0"]["metadata"]["labels"] = {}
    actions, problems, kept = plan_static([], observed, OWNER, "absent")
    assert "PersistentVolume data-data-redis-0" not in [a["object"] for a in actions]


def test_decide_lists_the_directories_the_pvs_need(static_params):
    result = decide(static_params, static.static_volumes(static_params), {})
    assert result["report"]["directories"] == ["/srv/nfs/kube/data-data-redis-%d" % n for n in range(3)]
    assert result["report"]["actions"] == ["create PersistentVolume data-data-redis-%d" % n for n in range(3)]
