"""A Redis Cluster that heals itself after all its pods restart at new addresses, with no playbook run.

The role forms the cluster once; then every pod is deleted at once, and the StatefulSet is
scaled to 0 and back. Nothing of ours runs afterwards: the members find each other by their
DNS names (the heal sidecar) and the tests check what a user would: every member ok, every
key back, and pods Ready only when their member sees the cluster ok. Last, the bootstrap
run at once after each of ten full restarts, racing the heal: it never fails.
"""

from functools import partial

from redis_helpers import (
    PASSWORD,
    ROLE_TASK,
    assert_ok,
    changed_tasks,
    healed,
    is_ready,
    missing_keys,
    node,
    pod_ips,
    pods,
    task_result,
    wait_for,
    write_keys,
)

SIZE = 6


def scale(apps_v1, namespace, replicas):
    apps_v1.patch_namespaced_stateful_set_scale("redis", namespace, {"spec": {"replicas": replicas}})


def test_the_role_forms_the_cluster_with_truthful_readiness(role, core_v1, redis_namespace):
    result = role(redis_namespace)
    assert_ok(result)
    assert task_result(result, ROLE_TASK)["state"] == "empty"
    assert wait_for("every pod Ready", lambda: all(is_ready(p) for p in pods(core_v1, redis_namespace).values()), 60)
    write_keys(core_v1, redis_namespace, "heal")


def test_all_pods_deleted_at_once_come_back_ok_with_every_key(core_v1, redis_namespace):
    before = pods(core_v1, redis_namespace)
    old_ips = set(pod.status.pod_ip for pod in before.values())
    for name in before:
        core_v1.delete_namespaced_pod(name, redis_namespace)
    old_uids = set(pod.metadata.uid for pod in before.values())
    assert wait_for("the new pods to heal the cluster by themselves",
                    lambda: healed(core_v1, redis_namespace, old_uids, SIZE), 240, 1)
    assert set(pod_ips(core_v1, redis_namespace)) != old_ips  # they did move (the test bed hands out new IPs)
    assert missing_keys(core_v1, redis_namespace, "heal") == []


def test_a_lone_member_of_a_formed_cluster_is_not_ready(apps_v1, core_v1, redis_namespace):
    scale(apps_v1, redis_namespace, 0)
    wait_for("every pod gone", lambda: not pods(core_v1, redis_namespace), 120, 1)
    scale(apps_v1, redis_namespace, 1)

    def failing_alone():
        pod = pods(core_v1, redis_namespace).get("redis-0")
        if pod is None or pod.status.phase != "Running" or not pod.status.pod_ip:
            return None
        events = core_v1.list_namespaced_event(
            redis_namespace, field_selector="involvedObject.uid=%s,reason=Unhealthy" % pod.metadata.uid).items
        info = node(pod.status.pod_ip).execute_command("CLUSTER", "INFO")
        return pod if events and "cluster_state:fail" in info else None

    pod = wait_for("redis-0 alone, its readiness probe failing", failing_alone, 120, 1)
    assert not is_ready(core_v1.read_namespaced_pod("redis-0", redis_namespace)), pod.status.conditions


def test_scaled_back_from_zero_the_cluster_heals_and_keeps_every_key(apps_v1, core_v1, redis_namespace):
    old_uids = set(pod.metadata.uid for name, pod in pods(core_v1, redis_namespace).items() if name != "redis-0")
    scale(apps_v1, redis_namespace, SIZE)
    assert wait_for("the pods to heal the cluster by themselves",
                    lambda: healed(core_v1, redis_namespace, old_uids, SIZE), 240, 1)
    assert missing_keys(core_v1, redis_namespace, "heal") == []


def test_a_role_run_after_the_heal_finds_nothing_to_do(role, redis_namespace):
    result = role(redis_namespace)
    assert_ok(result)
    assert task_result(result, ROLE_TASK)["state"] == "complete"
    assert result.stats["changed"] == 0, changed_tasks(result)


def restart_all_and_bootstrap(bootstrap, core_v1, namespace, transport):
    """Delete every pod, run the module as soon as the new ones run; the module's result and the old pods' uids."""
    before = pods(core_v1, namespace)
    old_uids = set(pod.metadata.uid for pod in before.values())
    for name in before:
        core_v1.delete_namespaced_pod(name, namespace)
    wait_for("the new pods to run", lambda: len(pod_ips(core_v1, namespace)) == SIZE and not old_uids & set(
        pod.metadata.uid for pod in pods(core_v1, namespace).values()), 120, 0.2)
    return bootstrap(name="redis", namespace=namespace, password=PASSWORD, transport=transport), old_uids


def test_the_bootstrap_right_after_a_full_restart_succeeds_ten_times(bootstrap, core_v1, redis_namespace):
    """All pods deleted, and the module run as soon as the new ones run (before any heal), ten times.

    Each run meets members that are loading their data, still at old addresses in each
    other's views, or healing at that moment: it must converge (or find nothing to do),
    never fail on something transient. Both transports, alternately.
    """
    seen = []
    for attempt in range(10):
        transport = ("exec", "direct")[attempt % 2]
        found, old_uids = restart_all_and_bootstrap(bootstrap, core_v1, redis_namespace, transport)
        seen.append((attempt, transport, found.get("state"), found.get("changed")))
        assert not found.get("failed"), (seen, found.get("msg"), found.get("problem"))
        assert found["state"] in ("complete", "moved"), (seen, found.get("reasons"))
        assert all(row["cluster_state"] == "ok" for row in found["topology"]), (seen, found["topology"])
        assert wait_for("every member ok and Ready", partial(healed, core_v1, redis_namespace, old_uids, SIZE), 120, 1)
    assert missing_keys(core_v1, redis_namespace, "heal") == [], seen
