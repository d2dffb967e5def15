"""A Redis Cluster that heals itself after all its pods restart at new addresses, with no playbook run.

The role forms the cluster once; then every pod is deleted at once, and the StatefulSet is
scaled to 0 and back. Nothing of ours runs afterwards: the members find each other by their
DNS names (the heal sidecar) and the tests check what a user would: every member ok, every
key back, and pods Ready only when their member sees the cluster ok.
"""

from redis_helpers import (
    ROLE_TASK,
    all_members_ok,
    assert_ok,
    changed_tasks,
    missing_keys,
    node,
    pod_ips,
    replicas_linked,
    task_result,
    wait_for,
    write_keys,
)

SIZE = 6


def pods(core_v1, namespace):
    return dict((pod.metadata.name, pod) for pod in core_v1.list_namespaced_pod(namespace).items)


def is_ready(pod):
    return any(c.type == "Ready" and c.status == "True" for c in pod.status.conditions or [])


def healed(core_v1, namespace, old_uids):
    """Every pod is a new one, Running and Ready, every member sees the whole cluster ok, every replica linked."""
    found = pods(core_v1, namespace)
    if len(found) != SIZE or set(pod.metadata.uid for pod in found.values()) & old_uids:
        return False
    if not all(pod.status.phase == "Running" and is_ready(pod) for pod in found.values()):
        return False
    return all_members_ok(core_v1, namespace, SIZE) and replicas_linked(core_v1, namespace)


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
                    lambda: healed(core_v1, redis_namespace, old_uids), 240, 1)
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
                    lambda: healed(core_v1, redis_namespace, old_uids), 240, 1)
    assert missing_keys(core_v1, redis_namespace, "heal") == []


def test_a_role_run_after_the_heal_finds_nothing_to_do(role, redis_namespace):
    result = role(redis_namespace)
    assert_ok(result)
    assert task_result(result, ROLE_TASK)["state"] == "complete"
    assert result.stats["changed"] == 0, changed_tasks(result)
