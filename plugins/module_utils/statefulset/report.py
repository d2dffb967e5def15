# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the wait returns: per-ordinal timings, the order check, the StatefulSet's revisions."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s import pods as podinfo
from ansible_collections.stateful.kube.plugins.module_utils.k8s.objects import name_of, parse_time
from ansible_collections.stateful.kube.plugins.module_utils.k8s.ordinals import ordinal_range
from ansible_collections.stateful.kube.plugins.module_utils.statefulset import rollout


def _after(timestamp, started):
    seconds = parse_time(timestamp)
    return None if seconds is None else round(seconds - started, 3)


def ordinal_timings(found, target, started, seen_ready, start=0):
    """One record for each of ``target`` ordinals from ``start``: API timestamps and seconds since the wait started.

    ``found`` is ``{ordinal: pod}``; ``seen_ready`` is ``{ordinal: epoch seconds}`` when the
    watch delivered the pod's Ready transition, which is finer than the API's whole seconds.
    """
    timings = []
    for ordinal in ordinal_range(start, target):
        pod = found.get(ordinal)
        if pod is None:
            timings.append({"ordinal": ordinal, "pod": None})
            continue
        created = pod["metadata"].get("creationTimestamp")
        scheduled = podinfo.condition(pod, "PodScheduled").get("lastTransitionTime")
        ready = podinfo.condition(pod, "Ready").get("lastTransitionTime") if podinfo.is_ready(pod) else None
        ready_after = round(seen_ready[ordinal] - started, 3) if ordinal in seen_ready else _after(ready, started)
        timings.append({
            "ordinal": ordinal,
            "pod": name_of(pod),
            "node": pod.get("spec", {}).get("nodeName"),
            "revision": podinfo.revision_of(pod),
            "restarts": podinfo.restarts_of(pod),
            "created": created,
            "scheduled": scheduled,
            "ready": ready,
            "created_after": _after(created, started),
            "scheduled_after": _after(scheduled, started),
            "ready_after": ready_after if ready else None,
        })
    return timings


def order_violations(ready_at, replaced):
    """Pairs of ordinals that became Ready in the wrong order for an OrderedReady StatefulSet.

    ``ready_at`` maps the ordinals that became Ready during the wait to when they did.
    Pods the controller creates (start, scale up) come up from the lowest ordinal; pods it
    replaces in a rolling update (``replaced``) from the highest. Each list is checked in
    its own order: an ordinal must be Ready no later than the one after it.
    """
    violations = []
    created = sorted(o for o in ready_at if o not in replaced)
    updated = sorted((o for o in ready_at if o in replaced), reverse=True)
    for sequence, direction in ((created, "ascending"), (updated, "descending")):
        for earlier, later in zip(sequence[:-1], sequence[1:]):  # noqa: B905 - neighbours, same length
            if ready_at[earlier] > ready_at[later]:
                violations.append({
                    "ordinal": earlier,
                    "next_ordinal": later,
                    "ready_after_next_by": round(ready_at[earlier] - ready_at[later], 3),
                    "expected_order": direction,
                })
    return violations


def result(statefulset, progress, timings, started, now, violations, ordering):
    status = (statefulset or {}).get("status") or {}
    return {
        "changed": False,
        "ready": bool(progress and progress.done),
        "replicas": progress.target if progress else None,
        "ready_replicas": status.get("readyReplicas") or 0,
        "current_revision": status.get("currentRevision"),
        "update_revision": status.get("updateRevision"),
        "pod_management_policy": rollout.pod_management_policy(statefulset) if statefulset else None,
        "ordering": ordering,
        "order_violations": violations,
        "ordinals": timings,
        "elapsed": round(now - started, 3),
    }
