from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest

from ansible_collections.stateful.kube.plugins.module_utils.k8s import wait
from ansible_collections.stateful.kube.plugins.module_utils.k8s.client import ApiException
from ansible_collections.stateful.kube.plugins.module_utils.k8s.deadline import Deadline
from ansible_collections.stateful.kube.plugins.module_utils.k8s.watch import ERROR, EVENT, SYNC

DEPLOYMENT = {
    "kind": "Deployment",
    "metadata": {"name": "nfs", "namespace": "storage", "generation": 2},
    "spec": {"replicas": 1},
    "status": {"observedGeneration": 1},
}


def progressed(obj, **status):
    found = copy.deepcopy(obj)
    found["status"].update(status)
    return found


def test_each_condition_says_what_is_missing_until_it_holds():
    assert wait.CONDITIONS["available"](DEPLOYMENT) == "the controller has not observed generation 2 yet"
    assert wait.CONDITIONS["available"](progressed(DEPLOYMENT, observedGeneration=2)) == (
        "available 0 of 1, updated 0 of 1")
    assert wait.CONDITIONS["available"](progressed(DEPLOYMENT, observedGeneration=2, availableReplicas=1,
                                                   updatedReplicas=1)) is None
    claim = {"status": {"phase": "Pending"}, "spec": {}}
    assert wait.CONDITIONS["bound"](claim) == "it is Pending, not Bound"
    assert wait.CONDITIONS["bound"]({"status": {"phase": "Bound"}, "spec": {"volumeName": "pv-1"}}) is None
    assert wait.CONDITIONS["gone"]({"metadata": {"deletionTimestamp": "x", "finalizers": ["kubernetes.io/pv"]}}) == (
        "it is being deleted (finalizers: kubernetes.io/pv)")
    assert wait.CONDITIONS["gone"](None) is None
    assert wait.CONDITIONS["finished"]({"status": {"phase": "Succeeded"}}) is None
    for name in ("available", "rolled_out", "bound", "finished", "exists"):
        assert wait.CONDITIONS[name](None) == "it does not exist yet"


def test_wait_for_lists_then_follows_the_watch_until_the_condition_holds(clock, fakes, load):
    watcher, queue = fakes.watcher(clock, [
        (1000.0, "object", SYNC, [DEPLOYMENT]),
        (1001.0, "object", EVENT, ("MODIFIED", progressed(DEPLOYMENT, observedGeneration=2))),
        (1003.5, "object", EVENT, ("MODIFIED", progressed(DEPLOYMENT, observedGeneration=2, availableReplicas=1,
                                                          updatedReplicas=1))),
    ])
    clients = fakes.Clients()
    found = wait.wait_for(clients, "Deployment", "storage", "nfs", "available", Deadline(30, clock), watcher)
    assert found["status"]["availableReplicas"] == 1
    assert clock.now == 1003.5  # woken by the event, no poll interval
    (key, call, args, query), = queue.followed
    assert (call.__name__, args, query) == ("list_namespaced_deployment", ("storage",),
                                            {"field_selector": "metadata.name=nfs"})


def test_wait_for_gives_up_at_the_deadline_with_what_it_saw_last(clock, fakes):
    watcher, _queue = fakes.watcher(clock, [(1000.0, "object", SYNC, [progressed(DEPLOYMENT, observedGeneration=2)])])
    with pytest.raises(wait.WaitTimeout) as failed:
        wait.wait_for(fakes.Clients(), "Deployment", "storage", "nfs", "available", Deadline(120, clock), watcher)
    assert failed.value.message == "Deployment storage/nfs not available after 120 s: available 0 of 1, updated 0 of 1"
    assert failed.value.obj["metadata"]["name"] == "nfs"
    assert clock.now == 1120.0


def test_gone_holds_once_the_watch_says_deleted(clock, fakes):
    volume = {"kind": "PersistentVolume", "metadata": {"name": "pv-1"}}
    watcher, queue = fakes.watcher(clock, [(1000.0, "object", SYNC, [volume]),
                                           (1002.0, "object", EVENT, ("DELETED", volume))])
    found = wait.wait_for(fakes.Clients(), "PersistentVolume", None, "pv-1", "gone", Deadline(60, clock), watcher)
    assert found is None
    assert queue.followed[0][2] == ()  # cluster-scoped: no namespace


def test_a_missing_right_fails_at_once_and_other_errors_are_retried(clock, fakes):
    watcher, _queue = fakes.watcher(clock, [(1000.0, "object", ERROR, ApiException(status=403, reason="Forbidden"))])
    with pytest.raises(wait.WaitError) as failed:
        wait.wait_for(fakes.Clients(), "Pod", "data", "mkdir", "finished", Deadline(60, clock), watcher)
    assert not isinstance(failed.value, wait.WaitTimeout)
    assert failed.value.message.startswith("cannot watch Pod data/mkdir: 403 Forbidden")
    watcher, _queue = fakes.watcher(clock, [(clock.now, "object", ERROR, ApiException(status=500, reason="boom"))])
    with pytest.raises(wait.WaitTimeout) as failed:
        wait.wait_for(fakes.Clients(), "Pod", "data", "mkdir", "finished", Deadline(5, clock), watcher)
    assert "no answer from the API server yet (last error: object feed:" in failed.value.message


def test_the_watcher_reports_changes_after_the_first_list_and_keeps_the_first_view(clock, fakes, load):
    pod = load("pod_ready")
    restarted = copy.deepcopy(pod)
    restarted["metadata"]["uid"] = "new"
    watcher_of, _queue = fakes.watcher(clock, [
        (1000.0, "pods", SYNC, [pod]),
        (1001.0, "pods", EVENT, ("MODIFIED", restarted)),
        (1002.0, "pods", SYNC, []),  # a list again after 410: the pod went meanwhile
    ])
    watcher = watcher_of(Deadline(10, clock, epoch=lambda: 0.0))
    changes = []
    watcher.follow("pods", None)
    result = watcher.run(lambda now: "done" if now >= 2 else None, lambda: "late",
                         on_change=lambda key, before, after, now: changes.append(
                             (now, before and before["metadata"]["uid"], after and after["metadata"]["uid"])))
    assert result == "done"
    assert changes == [(1.0, pod["metadata"]["uid"], "new"), (2.0, "new", None)]
    assert list(watcher.initial("pods").values()) == [pod]
    assert watcher.view("pods") == {}
