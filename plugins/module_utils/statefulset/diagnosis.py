# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Why a StatefulSet's rollout is stuck, told so that a person can act on it.

Two steps, both pure: ``hopeless`` decides from the pod alone whether waiting longer can
help (it is asked on every change, so it reads nothing else); ``diagnose`` names the
ordinal that holds the rollout up and explains its pod with ``k8s.diagnosis``, or quotes
the StatefulSet controller when the pod was never created.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s import diagnosis as poddiagnosis
from ansible_collections.stateful.kube.plugins.module_utils.k8s import events as eventinfo
from ansible_collections.stateful.kube.plugins.module_utils.k8s import pods as podinfo
from ansible_collections.stateful.kube.plugins.module_utils.k8s.objects import parse_time
from ansible_collections.stateful.kube.plugins.module_utils.k8s.ordinals import pod_name

# How long the scheduler may fail to place a pod before it counts as stuck: long enough
# for a volume to be provisioned or a node to free up, short against any real timeout.
UNSCHEDULABLE_GRACE = 15

# Problems, from the pod alone.
CONTAINER_BLOCKED = "container_blocked"
UNSCHEDULABLE = poddiagnosis.UNSCHEDULABLE
UNREADY = poddiagnosis.UNREADY
NOT_CREATED = "not_created"
STATEFULSET_MISSING = "statefulset_missing"
TIMEOUT = "timeout"
ORDER = "order_violation"

HINTS = {
    NOT_CREATED: "fix what the StatefulSet controller reports (quota, admission, RBAC, pod template)",
    STATEFULSET_MISSING: "apply the StatefulSet before this task, or check name and namespace",
}


def hopeless(pod, now, unready_timeout=None, grace=UNSCHEDULABLE_GRACE):
    """The problem that makes waiting for ``pod`` pointless (a constant above), or None if it may still come up."""
    if pod is None or podinfo.is_ready(pod) or podinfo.is_terminating(pod):
        return None
    if podinfo.blocked_container(pod):
        return CONTAINER_BLOCKED
    if podinfo.unschedulable(pod):
        since = parse_time(podinfo.condition(pod, "PodScheduled").get("lastTransitionTime"))
        if since is None or now - since >= grace:
            return UNSCHEDULABLE
        return None
    if unready_timeout:
        since = podinfo.unready_since(pod)
        if since is not None and now - since >= unready_timeout:
            return UNREADY
    return None


def ordinals_waited_for(start, target):
    """``3`` for ordinals 0 to 2; ``5..7`` for three from ordinal 5 (a count would read as a smaller ordinal)."""
    if not start:
        return "%d" % target
    return "%d..%d" % (start, start + target - 1)


def diagnose(problem, statefulset_name, ordinal, target, pod, started, now, events=(), log_lines=None, claims=(),
             start=0):
    """Facts about the pod of ``ordinal`` that holds the rollout up, with a ``message`` made of them.

    ``target`` pods from ordinal ``start`` (``spec.ordinals.start``) are waited for.

    ``pod`` is None when it was never created; ``events`` are the pod's (or, then, the
    StatefulSet's); ``claims`` come from ``k8s.diagnosis.claim_facts``; ``log_lines`` end
    with the failing container's last line.
    """
    summaries = eventinfo.summarize_events(events)
    seconds = int(round(now - started))
    if pod is not None:
        facts, detail, hint = poddiagnosis.explain_pod(pod, summaries, claims, now)
    else:
        facts = {"pod": pod_name(statefulset_name, ordinal), "phase": None, "conditions": {}, "node": None,
                 "container": None, "reason": None, "restarts": 0, "exit_code": None}
        detail, hint = "not created yet", None
    facts.update(problem=problem, ordinal=ordinal, events=summaries, log_tail=list(log_lines or []),
                 claims=list(claims))
    subject = "%s (ordinal %d of %s)" % (facts["pod"], ordinal, ordinals_waited_for(start, target))

    if problem == NOT_CREATED:
        failed = eventinfo.latest_warning(summaries)
        facts["reason"] = failed["reason"] if failed else None
        text = "%s was not created after %d s" % (subject, seconds)
        if failed:
            text += ": the StatefulSet controller reports %s x%d %s" % (
                failed["reason"], failed["count"], poddiagnosis.quote(failed["message"]))
        facts["message"] = text + "; " + HINTS[NOT_CREATED]
        return facts

    hint = hint or poddiagnosis.HINTS.get(problem) or HINTS.get(problem)
    facts["message"] = poddiagnosis.sentence("%s not Ready after %d s" % (subject, seconds), detail,
                                             facts["log_tail"], summaries, hint)
    return facts
