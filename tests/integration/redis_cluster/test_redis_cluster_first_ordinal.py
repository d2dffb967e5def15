"""The redis_cluster role on pods from redis-5, with claims the controller deletes on a scale down.

``redis_cluster_ordinal_start: 5`` (spec.ordinals.start) and
``redis_cluster_pvc_retention_when_scaled: Delete`` (persistentVolumeClaimRetentionPolicy)
on the test bed's Kubernetes: one cluster, built on in file order. The scale down must
move slots and keys off redis-11 and redis-12 before the StatefulSet shrinks, because the
controller then deletes their claims, and their data with them.
"""

import pytest
from redis_helpers import (
    ROLE_TASK,
    SCALE_DOWN_TASK,
    all_members_ok,
    assert_ok,
    changed_tasks,
    missing_keys,
    pod_ips,
    task_result,
    write_keys,
)

from tests.support.claims import bound_volumes, wait_bound, wait_gone
from tests.support.role_runs import tasks_run

# spec.ordinals.start and persistentVolumeClaimRetentionPolicy: the role refuses them before 1.27.
pytestmark = pytest.mark.kubernetes("1.27")

FIRST = {"redis_cluster_ordinal_start": 5, "redis_cluster_pvc_retention_when_scaled": "Delete"}
STATEFULSET_TASK = "Run the pods as a StatefulSet"


def pods(*ordinals):
    return ["redis-%d" % n for n in ordinals]


def claims_of(*ordinals):
    return ["data-redis-%d" % n for n in ordinals]


def test_role_forms_the_cluster_on_redis_5_to_10(role, apps_v1, core_v1, redis_namespace):
    result = role(redis_namespace, **FIRST)
    assert_ok(result)
    formed = task_result(result, ROLE_TASK)
    assert formed["state"] == "empty" and formed["changed"]
    assert sorted(row["member"] for row in formed["topology"]) == sorted(pods(*range(5, 11)))
    masters = [row for row in formed["topology"] if row["role"] == "master"]
    assert sorted(row["slot_count"] for row in masters) == [5461, 5461, 5462]
    assert sorted(pod_ips(core_v1, redis_namespace).values()) == sorted(pods(*range(5, 11)))
    spec = apps_v1.read_namespaced_stateful_set("redis", redis_namespace).spec
    assert spec.ordinals.start == 5
    policy = spec.persistent_volume_claim_retention_policy
    assert (policy.when_deleted, policy.when_scaled) == ("Retain", "Delete")
    assert all_members_ok(core_v1, redis_namespace, 6)
    write_keys(core_v1, redis_namespace, "formed")
    assert missing_keys(core_v1, redis_namespace, "formed") == []


def test_second_run_changes_nothing(role, redis_namespace):
    result = role(redis_namespace, **FIRST)
    assert_ok(result)
    assert result.stats["changed"] == 0, changed_tasks(result)
    assert task_result(result, ROLE_TASK)["state"] == "complete"


def test_moving_the_first_ordinal_is_refused_before_any_change(role, apps_v1, redis_namespace):
    before = apps_v1.read_namespaced_stateful_set("redis", redis_namespace).metadata.resource_version
    result = role(redis_namespace, **dict(FIRST, redis_cluster_ordinal_start=0))
    assert result.rc != 0
    refused = task_result(result, "Refuse to move the pods to other ordinals (the pods that would come there have "
                                  "none of the data)")
    assert "starts at ordinal 5 and redis_cluster_ordinal_start is 0" in refused["msg"]
    assert "Nothing was changed" in refused["msg"]
    assert result.stats.get("changed", 0) == 0
    assert apps_v1.read_namespaced_stateful_set("redis", redis_namespace).metadata.resource_version == before


def test_scale_up_to_four_masters_adds_redis_11_and_12(role, core_v1, redis_namespace):
    result = role(redis_namespace, redis_cluster_masters=4, **FIRST)
    assert_ok(result)
    grown = task_result(result, ROLE_TASK)
    assert grown["state"] == "scale_up" and grown["slots_moved"] == 4096
    assert sorted(row["member"] for row in grown["topology"]) == sorted(pods(*range(5, 13)))
    assert sorted(row["slot_count"] for row in grown["topology"] if row["role"] == "master") == [4096] * 4
    assert set(wait_bound(core_v1, redis_namespace, claims_of(*range(5, 13)))) == set(claims_of(*range(5, 13)))
    assert missing_keys(core_v1, redis_namespace, "formed") == []


def test_scale_down_moves_every_key_off_before_the_controller_deletes_the_claims(role, core_v1, redis_namespace):
    write_keys(core_v1, redis_namespace, "down")
    kept = {claim: volume for claim, volume in bound_volumes(core_v1, redis_namespace).items()
            if claim in claims_of(*range(5, 11))}
    assert len(kept) == 6

    result = role(redis_namespace, redis_cluster_masters=3, **FIRST)
    assert_ok(result)
    # The bootstrap emptied redis-11 and redis-12 before the StatefulSet was shrunk.
    order = tasks_run(result)
    assert order.index("stateful.kube.redis_cluster : " + SCALE_DOWN_TASK) < order.index(
        "stateful.kube.redis_cluster : " + STATEFULSET_TASK), order
    shrunk = task_result(result, SCALE_DOWN_TASK)
    assert shrunk["state"] == "scale_down" and shrunk["slots_moved"] >= 4096 and shrunk["keys_moved"] > 0
    assert sorted(row["member"] for row in shrunk["topology"]) == sorted(pods(*range(5, 11)))
    assert task_result(result, ROLE_TASK)["state"] == "complete"

    # whenScaled: Delete: the controller deleted the claims of the pods that went, and only those.
    wait_gone(core_v1, redis_namespace, claims_of(11, 12))
    assert bound_volumes(core_v1, redis_namespace) == kept
    assert sorted(pod_ips(core_v1, redis_namespace).values()) == sorted(pods(*range(5, 11)))
    assert all_members_ok(core_v1, redis_namespace, 6)
    assert missing_keys(core_v1, redis_namespace, "down") == []
    assert missing_keys(core_v1, redis_namespace, "formed") == []
