from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.statefulset import report, rollout
from ansible_collections.stateful.kube.plugins.module_utils.k8s.objects import parse_time


def test_pods_created_in_order_have_no_violation():
    assert report.order_violations({0: 1.0, 1: 2.0, 2: 2.0}, replaced=set()) == []


def test_a_later_ordinal_ready_first_is_a_violation():
    assert report.order_violations({0: 1.0, 1: 3.5, 2: 2.0}, replaced=set()) == [
        {"ordinal": 1, "next_ordinal": 2, "ready_after_next_by": 1.5, "expected_order": "ascending"}]


def test_rolling_update_is_checked_from_the_highest_ordinal_down():
    # Ordinals 0-2 existed and were replaced 2, 1, 0; ordinals 3 and 4 are new.
    ready = {2: 1.0, 1: 2.0, 0: 3.0, 3: 4.0, 4: 5.0}
    assert report.order_violations(ready, replaced={0, 1, 2}) == []
    ready[1] = 0.5
    assert report.order_violations(ready, replaced={0, 1, 2}) == [
        {"ordinal": 2, "next_ordinal": 1, "ready_after_next_by": 0.5, "expected_order": "descending"}]


def test_timings_prefer_the_watch_time_and_mark_missing_ordinals(load):
    pod = load("pod_ready")  # created and Ready at 06:42:46
    started = parse_time("2026-11-22T06:42:45Z")
    found = rollout.pods_by_ordinal(load("statefulset_web"), [pod])
    timings = report.ordinal_timings(found, 2, started, seen_ready={})
    assert timings[0]["ready_after"] == 1.0
    assert timings[0]["created_after"] == 1.0
    assert timings[0]["revision"] == "web-9fbc9497b"
    assert timings[0]["node"] == "node-1"
    assert timings[1] == {"ordinal": 1, "pod": None}
    assert report.ordinal_timings(found, 1, started, seen_ready={0: started + 1.234})[0]["ready_after"] == 1.234


def test_result_carries_revisions_and_is_never_changed(load):
    statefulset = load("statefulset_web")
    statefulset["status"]["updateRevision"] = "web-7f6d5c4b9a"
    progress = rollout.classify(statefulset, [], now=0)
    result = report.result(statefulset, progress, [], 10.0, 12.5, [], "enforced")
    assert result["changed"] is False
    assert result["ready"] is False
    assert (result["current_revision"], result["update_revision"]) == ("web-9fbc9497b", "web-7f6d5c4b9a")
    assert result["pod_management_policy"] == "Parallel"
    assert result["elapsed"] == 2.5
