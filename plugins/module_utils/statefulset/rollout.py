# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a StatefulSet's rollout stands: which ordinals are done, which one holds it up.

Pure functions of the StatefulSet and its pods as the API returns them (JSON dicts).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s import ordinals
from ansible_collections.stateful.kube.plugins.module_utils.k8s import pods as podinfo
from ansible_collections.stateful.kube.plugins.module_utils.k8s.objects import generation_observed, name_of

# What an ordinal is waiting for, from "nothing" (READY) to "its pod does not exist yet".
READY = "ready"
SETTLING = "settling"  # Ready, but not yet for ready_for seconds
OLD_REVISION = "old_revision"  # Ready, but still runs a revision the rollout replaces
NOT_READY = "not_ready"  # the pod exists and is not Ready
TERMINATING = "terminating"
MISSING = "missing"

# The order in which a user wants to hear about ordinals that hold the rollout up: a pod
# that exists and does not come up says more than one that merely has not had its turn.
_BLAME_ORDER = (NOT_READY, TERMINATING, MISSING, SETTLING, OLD_REVISION)


def desired_replicas(statefulset):
    return ordinals.replicas_of(statefulset)


def pod_management_policy(statefulset):
    return statefulset.get("spec", {}).get("podManagementPolicy") or "OrderedReady"


def update_strategy(statefulset):
    """``(type, partition)``: ``("RollingUpdate", 0)`` unless the StatefulSet says otherwise."""
    strategy = statefulset.get("spec", {}).get("updateStrategy") or {}
    kind = strategy.get("type") or "RollingUpdate"
    partition = ((strategy.get("rollingUpdate") or {}).get("partition") or 0) if kind == "RollingUpdate" else None
    return kind, partition


def accepted_revisions(statefulset, ordinal):
    """The revisions the pod of ``ordinal`` may run when the rollout is done, or None for "any".

    RollingUpdate moves every pod at or above the partition to ``updateRevision``; those
    below it keep what they have. The partition counts pods from the first ordinal
    (``spec.ordinals.start``), as the controller does. OnDelete never replaces a pod by itself.
    """
    status = statefulset.get("status") or {}
    kind, partition = update_strategy(statefulset)
    if kind != "RollingUpdate" or ordinal - ordinals.start_of(statefulset) < partition or not status.get(
            "updateRevision"):
        return None
    return {status["updateRevision"]}


class Progress:
    """The state of each ordinal and whether the rollout is done."""

    def __init__(self, target, states, done, blocking, extra, waiting_for):
        self.target = target
        self.states = states  # {ordinal: state} for the target's ordinals, from spec.ordinals.start
        self.done = done
        self.blocking = blocking  # the ordinal to blame, or None
        self.extra = extra  # ordinals at or above spec.replicas still present (scale down in progress)
        self.waiting_for = waiting_for  # a short sentence for the user when not done


def pods_by_ordinal(statefulset, pods):
    """``{ordinal: pod}`` in ordinal order for the pods (dicts) that belong to the StatefulSet."""
    name = name_of(statefulset)
    by_name = {name_of(pod): pod for pod in pods}
    return {ordinal: by_name[pod_name] for ordinal, pod_name in ordinals.by_ordinal(by_name, name).items()}


def ordinal_state(statefulset, ordinal, pod, ready_for, now, seen_ready=None):
    if pod is None:
        return MISSING
    if podinfo.is_terminating(pod):
        return TERMINATING
    if not podinfo.is_ready(pod):
        return NOT_READY
    accepted = accepted_revisions(statefulset, ordinal)
    if accepted is not None and podinfo.revision_of(pod) not in accepted:
        return OLD_REVISION
    if ready_for:
        since = (seen_ready or {}).get(ordinal)
        if since is None:
            # The API's timestamp is cut to the second: the pod may have turned Ready up to 1 s later.
            since = podinfo.ready_since(pod)
            since = None if since is None else since + 1
        if since is None or now - since < ready_for:
            return SETTLING
    return READY


def classify(statefulset, pods, target=None, ready_for=0, now=0.0, seen_ready=None):
    """Where the rollout of ``statefulset`` stands, given its ``pods`` (a list of dicts) at time ``now``.

    ``target`` is how many ordinals to wait for (default: ``spec.replicas``); ``seen_ready``
    maps ordinals to when a watch saw them turn Ready, finer than the API's timestamps.
    """
    desired = desired_replicas(statefulset)
    target = desired if target is None else target
    found = pods_by_ordinal(statefulset, pods)
    states = dict((ordinal, ordinal_state(statefulset, ordinal, found.get(ordinal), ready_for, now, seen_ready))
                  for ordinal in ordinals.ordinals_of(statefulset, target))
    wanted = ordinals.ordinals_of(statefulset, desired)
    extra = [ordinal for ordinal in found if ordinal not in wanted]
    status = statefulset.get("status") or {}

    waiting_for = None
    if not generation_observed(statefulset):
        waiting_for = "the StatefulSet controller to observe generation %s" % statefulset["metadata"].get("generation")
    elif target > desired:
        waiting_for = "%d replicas, but spec.replicas is %d" % (target, desired)
    elif any(state != READY for state in states.values()):
        waiting_for = "%d/%d pods Ready on the expected revision" % (states_count(states, READY), target)
    elif (status.get("readyReplicas") or 0) < target:
        waiting_for = "status.readyReplicas (%d) to reach %d" % (status.get("readyReplicas") or 0, target)
    elif target == desired and (extra or (status.get("replicas") or 0) != desired):
        waiting_for = "pods %s to go away (scale down to %d)" % (
            ", ".join(str(o) for o in extra) or "above ordinal %d" % (wanted.stop - 1), desired)

    blocking = None
    for wanted in _BLAME_ORDER:
        candidates = [ordinal for ordinal, state in states.items() if state == wanted]
        if candidates:
            # OrderedReady updates from the highest ordinal down: the pod it works on is the highest.
            blocking = max(candidates) if wanted == OLD_REVISION else min(candidates)
            break
    return Progress(target, states, waiting_for is None, blocking, extra, waiting_for)


def states_count(states, wanted):
    return sum(1 for state in states.values() if state == wanted)
