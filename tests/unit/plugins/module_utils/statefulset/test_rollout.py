from __future__ import absolute_import, division, print_function

__metaclass__ = type


from ansible_collections.stateful.kube.plugins.module_utils.k8s.selectors import selector_of
from ansible_collections.stateful.kube.plugins.module_utils.statefulset import rollout
from ansible_collections.stateful.kube.plugins.module_utils.k8s.objects import parse_time

NOW = parse_time("2026-11-22T06:44:00Z")
OLD = "web-9fbc9497b"  # the revision of the captured pods
NEW = "web-7f6d5c4b9a"


def ready_pod(load, ordinal, revision):
    """The captured Ready pod web-0, as ordinal ``ordinal`` on ``revision``."""
    pod = load("pod_ready")
    pod["metadata"]["name"] = "web-%d" % ordinal
    pod["metadata"]["uid"] = "uid-%d" % ordinal
    pod["metadata"]["labels"]["controller-revision-hash"] = revision
    return pod


def rolling(load, ready=3):
    """The captured StatefulSet web in the middle of a rolling update from OLD to NEW."""
    statefulset = load("statefulset_web")
    statefulset["spec"]["podManagementPolicy"] = "OrderedReady"
    statefulset["metadata"]["generation"] = statefulset["status"]["observedGeneration"] = 2
    statefulset["status"].update(updateRevision=NEW, readyReplicas=ready)
    return statefulset


def test_rolling_update_is_not_done_while_a_pod_runs_the_old_revision(load):
    statefulset = rolling(load)
    pods = [ready_pod(load, n, OLD) for n in (0, 1)] + [ready_pod(load, 2, NEW)]
    progress = rollout.classify(statefulset, pods, now=NOW)
    assert not progress.done
    assert progress.states == {0: rollout.OLD_REVISION, 1: rollout.OLD_REVISION, 2: rollout.READY}
    # The controller updates from the top: ordinal 1 is the next one it replaces.
    assert progress.blocking == 1


def test_partition_lets_lower_ordinals_keep_the_old_revision(load):
    statefulset = rolling(load)
    statefulset["spec"]["updateStrategy"]["rollingUpdate"]["partition"] = 2
    pods = [ready_pod(load, n, OLD) for n in (0, 1)] + [ready_pod(load, 2, NEW)]
    assert rollout.classify(statefulset, pods, now=NOW).done


def test_on_delete_accepts_any_revision(load):
    statefulset = rolling(load)
    statefulset["spec"]["updateStrategy"] = {"type": "OnDelete"}
    pods = [ready_pod(load, n, OLD) for n in range(3)]
    assert rollout.classify(statefulset, pods, now=NOW).done


def test_unobserved_generation_is_not_done(load):
    statefulset = rolling(load)
    statefulset["metadata"]["generation"] = 3
    pods = [ready_pod(load, n, NEW) for n in range(3)]
    progress = rollout.classify(statefulset, pods, now=NOW)
    assert not progress.done
    assert "generation 3" in progress.waiting_for


def test_ordinals_are_matched_numerically_not_by_name(load):
    statefulset = rolling(load)
    statefulset["spec"]["replicas"] = 11
    statefulset["status"].update(replicas=11, readyReplicas=10)
    pods = [ready_pod(load, n, NEW) for n in (10, 1, 0, 2, 3, 4, 5, 6, 7, 8)]
    progress = rollout.classify(statefulset, pods, now=NOW)
    assert progress.states[9] == rollout.MISSING
    assert progress.blocking == 9


def test_not_ready_pod_is_blamed_before_a_missing_one(load):
    statefulset = rolling(load)
    crashing = load("pod_crashloop")  # web-2
    crashing["metadata"]["name"] = "web-1"
    progress = rollout.classify(statefulset, [ready_pod(load, 0, NEW), crashing], now=NOW)
    assert progress.states == {0: rollout.READY, 1: rollout.NOT_READY, 2: rollout.MISSING}
    assert progress.blocking == 1


def test_ready_for_holds_a_pod_until_it_has_been_ready_long_enough(load):
    statefulset = rolling(load)
    pods = [ready_pod(load, n, NEW) for n in range(3)]
    ready_at = parse_time("2026-11-22T06:42:46Z")
    # The API's whole-second timestamp may be up to 1 s early: it counts from one second later.
    assert rollout.classify(statefulset, pods, ready_for=10, now=ready_at + 10).states[0] == rollout.SETTLING
    assert rollout.classify(statefulset, pods, ready_for=10, now=ready_at + 11).done
    # A watch that saw the transition knows better.
    seen = {0: ready_at + 0.5, 1: ready_at + 0.5, 2: ready_at + 0.5}
    assert rollout.classify(statefulset, pods, ready_for=10, now=ready_at + 10.4, seen_ready=seen).states[0] == (
        rollout.SETTLING)
    assert rollout.classify(statefulset, pods, ready_for=10, now=ready_at + 10.5, seen_ready=seen).done


def test_ready_replicas_in_status_must_agree(load):
    statefulset = rolling(load)
    statefulset["status"]["readyReplicas"] = 2
    pods = [ready_pod(load, n, NEW) for n in range(3)]
    progress = rollout.classify(statefulset, pods, now=NOW)
    assert not progress.done
    assert "readyReplicas" in progress.waiting_for


def test_scale_down_is_done_when_the_pods_above_are_gone(load):
    statefulset = rolling(load)
    statefulset["spec"]["replicas"] = 2
    statefulset["status"].update(replicas=3, readyReplicas=3)
    pods = [ready_pod(load, n, NEW) for n in range(3)]
    progress = rollout.classify(statefulset, pods, now=NOW)
    assert not progress.done
    assert progress.extra == [2]
    statefulset["status"].update(replicas=2, readyReplicas=2)
    assert rollout.classify(statefulset, pods[:2], now=NOW).done


def test_waiting_for_fewer_replicas_ignores_the_rest(load):
    statefulset = rolling(load)
    statefulset["spec"]["replicas"] = 5
    statefulset["status"].update(replicas=2, readyReplicas=2)
    pods = [ready_pod(load, n, NEW) for n in range(2)]
    assert rollout.classify(statefulset, pods, target=2, now=NOW).done
    assert not rollout.classify(statefulset, pods, now=NOW).done


def test_defaults_of_a_minimal_statefulset():
    statefulset = {"metadata": {"name": "x"}, "spec": {}}
    assert rollout.desired_replicas(statefulset) == 1
    assert rollout.pod_management_policy(statefulset) == "OrderedReady"
    assert rollout.update_strategy(statefulset) == ("RollingUpdate", 0)


def test_captured_statefulset_with_an_unready_and_a_crashing_pod(load):
    statefulset = load("statefulset_web")
    pods = [load("pod_ready"), load("pod_readiness_failing"), load("pod_crashloop")]
    progress = rollout.classify(statefulset, pods, now=NOW)
    assert selector_of(statefulset) == "app=web"
    assert rollout.pod_management_policy(statefulset) == "Parallel"
    assert progress.states == {0: rollout.READY, 1: rollout.NOT_READY, 2: rollout.NOT_READY}
    assert progress.blocking == 1
    assert progress.waiting_for == "1/3 pods Ready on the expected revision"
