from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.stateful.kube.plugins.module_utils.k8s.objects import parse_time
from ansible_collections.stateful.kube.plugins.module_utils.k8s.watch import EVENT, SYNC
from ansible_collections.stateful.kube.plugins.module_utils.statefulset import diagnosis
from ansible_collections.stateful.kube.plugins.module_utils.statefulset.waiter import WaitFailed, Waiter

# The wall clock when the wait starts: the captured pods' timestamps are around it.
EPOCH = parse_time("2026-11-22T06:42:40Z")


def statefulset(load, replicas=2, start=None):
    found = load("statefulset_web")
    found["spec"].update(replicas=replicas, podManagementPolicy="OrderedReady")
    found["status"].update(replicas=replicas, readyReplicas=replicas)
    if start is not None:
        found["spec"]["ordinals"] = {"start": start}
    return found


def pod(load, ordinal, ready=True, uid=None):
    found = load("pod_ready")
    found["metadata"].update(name="web-%d" % ordinal, uid=uid or "uid-%d" % ordinal)
    if not ready:
        for condition in found["status"]["conditions"]:
            if condition["type"] == "Ready":
                condition["status"] = "False"
    return found


def waiter(fakes, clock, script, core=None, **options):
    watcher, queue = fakes.watcher(clock, script)
    clients = fakes.Clients(core=core)
    start = clock.now
    return Waiter(clients, "demo", "web", clock=clock, epoch=lambda: EPOCH + clock.now - start, watcher=watcher,
                  **options), queue


def test_the_wait_ends_when_the_watch_shows_every_ordinal_ready_in_order(fakes, clock, load):
    wait, queue = waiter(fakes, clock, [
        (1000.0, "statefulset", SYNC, [statefulset(load)]),
        (1000.0, "pods", SYNC, [pod(load, 0, ready=False)]),
        (1001.0, "pods", EVENT, ("MODIFIED", pod(load, 0))),
        (1002.0, "pods", EVENT, ("ADDED", pod(load, 1, ready=False))),
        (1004.0, "pods", EVENT, ("MODIFIED", pod(load, 1))),
    ])
    result = wait.run()
    assert result["ready"] and result["replicas"] == 2 and result["order_violations"] == []
    assert [o["ready_after"] for o in result["ordinals"]] == [1.0, 4.0]  # when the watch said so
    assert result["elapsed"] == 4.0
    # The pods are followed with the StatefulSet's own selector, once it is known.
    assert [(key, query) for key, _call, _args, query in queue.followed] == [
        ("statefulset", {"field_selector": "metadata.name=web"}), ("pods", {"label_selector": "app=web"})]


def test_ordinals_start_where_the_statefulset_says(fakes, clock, load):
    wait, _queue = waiter(fakes, clock, [
        (1000.0, "statefulset", SYNC, [statefulset(load, replicas=2, start=5)]),
        (1000.0, "pods", SYNC, [pod(load, 5), pod(load, 6, ready=False)]),
        (1003.0, "pods", EVENT, ("MODIFIED", pod(load, 6))),
    ])
    result = wait.run()
    assert [o["pod"] for o in result["ordinals"]] == ["web-5", "web-6"]
    assert result["ordinals"][1]["ready_after"] == 3.0


def test_an_ordinal_that_became_ready_after_the_next_one_fails_an_ordered_wait(fakes, clock, load):
    wait, _queue = waiter(fakes, clock, [
        (1000.0, "statefulset", SYNC, [statefulset(load)]),
        (1000.0, "pods", SYNC, [pod(load, 0, ready=False), pod(load, 1, ready=False)]),
        (1001.0, "pods", EVENT, ("MODIFIED", pod(load, 1))),
        (1002.5, "pods", EVENT, ("MODIFIED", pod(load, 0))),
    ])
    with pytest.raises(WaitFailed) as failed:
        wait.run()
    assert failed.value.message.startswith("StatefulSet demo/web is Ready, but ordinal 0 became Ready 1.5 s after "
                                           "ordinal 1 (ascending order expected")
    assert failed.value.facts == {"problem": diagnosis.ORDER}


def test_a_crash_loop_fails_at_once_with_the_pod_explained(fakes, clock, load):
    crashing = load("pod_crashloop")
    crashing["metadata"]["name"] = "web-1"
    core = fakes.Api(list_namespaced_event=lambda namespace, **query: load("events_crashloop"),
                     read_namespaced_pod_log=lambda *args, **query: "config line 12: Bad directive\n")
    wait, _queue = waiter(fakes, clock, [
        (1000.0, "statefulset", SYNC, [statefulset(load)]),
        (1000.0, "pods", SYNC, [pod(load, 0)]),
        (1002.0, "pods", EVENT, ("ADDED", crashing)),
    ], core=core, timeout=300)
    with pytest.raises(WaitFailed) as failed:
        wait.run()
    assert clock.now == 1002.0  # fail fast: no waiting for the deadline
    assert failed.value.message.startswith("web-1 (ordinal 1 of 2) not Ready after 2 s: Running, container app in "
                                           'CrashLoopBackOff (exit 1, 3 restarts); last log line: "config line 12')
    assert failed.value.facts["problem"] == diagnosis.CONTAINER_BLOCKED
    assert failed.value.result["ready"] is False


def test_a_statefulset_that_never_appears_times_out_saying_so(fakes, clock, load):
    wait, queue = waiter(fakes, clock, [(1000.0, "statefulset", SYNC, [])], timeout=3)
    with pytest.raises(WaitFailed) as failed:
        wait.run()
    assert failed.value.message == ("StatefulSet demo/web not found after 3 s (timeout): apply the StatefulSet before "
                                    "this task, or check name and namespace")
    assert [key for key, _call, _args, _query in queue.followed] == ["statefulset"]


def test_pods_replaced_during_the_wait_are_expected_from_the_highest_ordinal_down(fakes, clock, load):
    # A rolling update replaces web-1, then web-0 (new uids): descending order is right for them,
    # where the same order for pods being created would be a violation.
    wait, _queue = waiter(fakes, clock, [
        (1000.0, "statefulset", SYNC, [statefulset(load)]),
        (1000.0, "pods", SYNC, [pod(load, 0), pod(load, 1, ready=False)]),
        (1000.5, "pods", EVENT, ("MODIFIED", pod(load, 0, ready=False, uid="uid-0b"))),
        (1001.0, "pods", EVENT, ("MODIFIED", pod(load, 1, uid="uid-1b"))),
        (1003.0, "pods", EVENT, ("MODIFIED", pod(load, 0, uid="uid-0b"))),
    ])
    result = wait.run()
    assert result["ready"] and result["order_violations"] == []
    assert [o["ready_after"] for o in result["ordinals"]] == [3.0, 1.0]
