"""The redis_cluster role and redis_cluster_bootstrap on the test bed: one cluster, built on in file order.

Real redis-server pods on claims of the NFS StorageClass. Each test acts once on the
cluster the tests before it left, and checks what a user would: keys, slots, roles.
"""

import pytest
from redis_helpers import (
    PASSWORD,
    ROLE_TASK,
    SCALE_DOWN_TASK,
    all_members_ok,
    assert_ok,
    cluster_client,
    cluster_nodes,
    missing_keys,
    pod_ips,
    task_result,
    wait_for,
    write_keys,
)


def test_role_forms_three_masters_each_with_a_replica(role, redis_namespace):
    result = role(redis_namespace)
    assert_ok(result)
    formed = task_result(result, ROLE_TASK)
    assert formed["state"] == "empty" and formed["changed"]
    masters = [row for row in formed["topology"] if row["role"] == "master"]
    replicas = [row for row in formed["topology"] if row["role"] == "replica"]
    assert sorted(row["slot_count"] for row in masters) == [5461, 5461, 5462]
    assert len(replicas) == 3 and all(row["link"] == "up" for row in replicas)
    assert sorted(row["master"] for row in replicas) == sorted(row["member"] for row in masters)
    node_of = dict((row["member"], row["node"]) for row in formed["topology"])
    assert all(node_of[row["member"]] != node_of[row["master"]] for row in replicas), formed["topology"]
    assert all(row["cluster_state"] == "ok" for row in formed["topology"])


def test_second_run_changes_nothing(role, redis_namespace):
    result = role(redis_namespace)
    assert_ok(result)
    assert result.stats["changed"] == 0, result.stdout[-3000:]
    assert task_result(result, ROLE_TASK)["state"] == "complete"


def test_check_mode_reports_the_plan_and_changes_nothing(bootstrap, core_v1, redis_namespace):
    before = cluster_nodes(core_v1, redis_namespace)
    found = bootstrap(
        check=True, name="redis", namespace=redis_namespace, masters=2, replicas_per_master=2, password=PASSWORD
    )
    assert not found.get("failed"), found.get("msg")
    assert found["changed"] and found["state"] == "unbalanced"
    moves = [action for action in found["plan"] if action["action"] == "move_slots"]
    assert moves and sum(action["count"] for action in moves) == 5461
    assert "plan:" in found["diff"]["after"]
    assert cluster_nodes(core_v1, redis_namespace) == before


def test_a_key_survives_deleting_its_masters_pod(role, core_v1, redis_namespace):
    client = cluster_client(core_v1, redis_namespace)
    client.set("seed-experiment", "still here")
    master_ip = client.get_node_from_key("seed-experiment").host
    client.close()
    pod = pod_ips(core_v1, redis_namespace)[master_ip]
    core_v1.delete_namespaced_pod(pod, redis_namespace)
    result = role(redis_namespace, redis_cluster_transport="direct")
    assert_ok(result)
    assert task_result(result, ROLE_TASK)["state"] in ("complete", "moved", "unbalanced")
    assert cluster_client(core_v1, redis_namespace).get("seed-experiment") == "still here"
    assert all_members_ok(core_v1, redis_namespace, 6)


def test_a_role_run_right_after_all_six_pods_restarted_succeeds(role, core_v1, redis_namespace):
    write_keys(core_v1, redis_namespace, "all")
    for pod in core_v1.list_namespaced_pod(redis_namespace).items:
        core_v1.delete_namespaced_pod(pod.metadata.name, redis_namespace)
    result = role(redis_namespace, redis_cluster_transport="direct")
    assert_ok(result)
    # The members heal by themselves (heal sidecar) while the role waits for them to be Ready;
    # a bootstrap that still finds stale addresses re-meets them (moved).
    assert task_result(result, ROLE_TASK)["state"] in ("complete", "moved")
    assert wait_for("every member ok with all slots", lambda: all_members_ok(core_v1, redis_namespace, 6), 120)
    assert missing_keys(core_v1, redis_namespace, "all") == []


def test_scale_up_to_four_masters_moves_slots_and_keeps_every_key(role, core_v1, redis_namespace):
    write_keys(core_v1, redis_namespace, "up")
    result = role(redis_namespace, redis_cluster_masters=4)
    assert_ok(result)
    grown = task_result(result, ROLE_TASK)
    assert grown["state"] == "scale_up" and grown["slots_moved"] == 4096 and grown["keys_moved"] > 0
    masters = [row for row in grown["topology"] if row["role"] == "master"]
    assert sorted(row["slot_count"] for row in masters) == [4096] * 4
    assert missing_keys(core_v1, redis_namespace, "up") == []
    assert missing_keys(core_v1, redis_namespace, "all") == []


def test_scale_back_to_three_masters_keeps_every_key(role, core_v1, redis_namespace):
    result = role(redis_namespace, redis_cluster_masters=3)
    assert_ok(result)
    shrunk = task_result(result, SCALE_DOWN_TASK)
    assert shrunk["state"] == "scale_down" and shrunk["slots_moved"] >= 4096
    assert [row["member"] for row in shrunk["topology"]] == ["redis-%d" % i for i in range(6)]
    assert task_result(result, ROLE_TASK)["state"] == "complete"
    assert len(pod_ips(core_v1, redis_namespace)) == 6
    assert all_members_ok(core_v1, redis_namespace, 6)
    assert missing_keys(core_v1, redis_namespace, "up") == []
    assert missing_keys(core_v1, redis_namespace, "all") == []


def test_role_in_check_mode_changes_nothing(role, apps_v1, core_v1, redis_namespace):
    before = cluster_nodes(core_v1, redis_namespace)
    same = role(redis_namespace, check=True)
    assert_ok(same)
    assert same.stats["changed"] == 0, same.stdout[-3000:]
    assert task_result(same, ROLE_TASK)["state"] == "complete"
    bigger = role(redis_namespace, check=True, redis_cluster_masters=4)
    assert_ok(bigger)
    assert task_result(bigger, "Run the pods as a StatefulSet")["changed"]
    assert task_result(bigger, ROLE_TASK).get("skipped")  # its pods do not exist: no plan to show yet
    assert apps_v1.read_namespaced_stateful_set("redis", redis_namespace).spec.replicas == 6
    assert cluster_nodes(core_v1, redis_namespace) == before


@pytest.mark.parametrize("transport", ["exec", "direct"])
def test_a_wrong_password_is_a_clear_error(bootstrap, redis_namespace, transport):
    found = bootstrap(name="redis", namespace=redis_namespace, password="not-the-password", transport=transport)
    assert found.get("failed") and found["problem"] == "auth", found
    assert "refused the password" in found["msg"] or "AUTH failed" in found["msg"]
    assert "check the password option" in found["msg"]
