# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Why a StatefulSet's pod does not come up, told so that a person can act on it.

Two steps, both pure: ``hopeless`` decides from the pod alone whether waiting longer can
help (it is asked on every change, so it reads nothing else); ``diagnose`` turns the pod,
its events, its claims and its container's last log lines into facts and one message.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.statefulset import pods as podinfo

# How long the scheduler may fail to place a pod before it counts as stuck: long enough
# for a volume to be provisioned or a node to free up, short against any real timeout.
UNSCHEDULABLE_GRACE = 15

# Problems, from the pod alone.
CONTAINER_BLOCKED = "container_blocked"
UNSCHEDULABLE = "unschedulable"
UNREADY = "unready"
NOT_CREATED = "not_created"
STATEFULSET_MISSING = "statefulset_missing"
TIMEOUT = "timeout"
ORDER = "order_violation"

HINTS = {
    "CrashLoopBackOff": "fix the container's command or configuration (see its log above: kubectl logs --previous)",
    "ErrImagePull": "check the image name and tag and that the nodes can pull it (registry, credentials)",
    "ImagePullBackOff": "check the image name and tag and that the nodes can pull it (registry, credentials)",
    "InvalidImageName": "fix the image reference in the pod template",
    "ErrImageNeverPull": "pre-load the image on the nodes or change imagePullPolicy",
    "CreateContainerConfigError": "create the ConfigMap/Secret (or key) the container refers to",
    "CreateContainerError": "check the container's command, mounts and security context",
    "RunContainerError": "check the container's command, mounts and security context",
    UNSCHEDULABLE: "free or add capacity, or fix the pod's node selector, affinity, tolerations or volumes",
    "claim": "make the claim bindable: a StorageClass whose provisioner runs, or a matching PersistentVolume",
    UNREADY: "check what the readiness probe tests and why the application does not pass it",
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
        since = podinfo.parse_time(podinfo.condition(pod, "PodScheduled").get("lastTransitionTime"))
        if since is None or now - since >= grace:
            return UNSCHEDULABLE
        return None
    if unready_timeout:
        since = unready_since(pod)
        if since is not None and now - since >= unready_timeout:
            return UNREADY
    return None


def unready_since(pod):
    """When a running pod became unready: the later of its containers' start and its Ready condition's change."""
    running = podinfo.running_since(pod)
    if running is None or podinfo.is_ready(pod):
        return None
    changed = podinfo.parse_time(podinfo.condition(pod, "Ready").get("lastTransitionTime")) or 0
    return max(running, changed)


def _event_time(event):
    return (event.get("lastTimestamp") or event.get("eventTime") or event.get("firstTimestamp")
            or event.get("metadata", {}).get("creationTimestamp") or "")


def _event_order(event):
    # Timestamps have whole seconds: within one, the later update has the higher resourceVersion.
    version = event.get("metadata", {}).get("resourceVersion") or "0"
    return _event_time(event), int(version) if version.isdigit() else 0


def summarize_events(events, limit=5):
    """The last ``limit`` events, oldest first, as ``{type, reason, message, count, last_seen}``."""
    ordered = sorted(events or [], key=_event_order)[-limit:]
    return [{
        "type": e.get("type"),
        "reason": e.get("reason"),
        "message": (e.get("message") or "").strip(),
        "count": e.get("count") or 1,
        "last_seen": _event_time(e),
    } for e in ordered]


def events_phrase(summaries):
    """``BackOff x4, Unhealthy x12``: one entry per reason, in the order they last happened."""
    counts = {}
    for summary in summaries:
        counts.pop(summary["reason"], None)
        counts[summary["reason"]] = summary["count"]
    return ", ".join("%s x%d" % item for item in counts.items())


def last_message(summaries, reason):
    for summary in reversed(summaries):
        if summary["reason"] == reason:
            return summary["message"]
    return None


def claim_facts(claim, storage_class, events):
    """What a person needs to know about one of the pod's claims."""
    spec = claim.get("spec", {})
    class_name = spec.get("storageClassName")
    return {
        "name": podinfo.name_of(claim),
        "phase": (claim.get("status") or {}).get("phase", "Pending"),
        "storage_class": class_name,
        "storage_class_exists": storage_class is not None,
        "provisioner": (storage_class or {}).get("provisioner"),
        "events": summarize_events(events, limit=3),
    }


def _quote(text, width=240):
    text = " ".join((text or "").split())
    return '"%s"' % (text if len(text) <= width else text[:width - 3] + "...")


def _claim_phrase(facts):
    if facts["storage_class"] and not facts["storage_class_exists"]:
        where = "StorageClass %s does not exist" % facts["storage_class"]
    elif facts["storage_class"]:
        where = "StorageClass %s, provisioner %s" % (facts["storage_class"], facts["provisioner"])
    else:
        where = "no StorageClass"
    phrase = "claim %s %s (%s)" % (facts["name"], facts["phase"], where)
    if facts["events"]:
        last = facts["events"][-1]
        phrase += ": %s x%d %s" % (last["reason"], last["count"], _quote(last["message"]))
    return phrase


def diagnose(problem, statefulset_name, ordinal, target, pod, started, now, events=(), log_lines=None, claims=()):
    """Facts about the pod of ``ordinal`` that holds the rollout up, with a ``message`` made of them.

    ``pod`` is None when it was never created; ``events`` are the pod's (or, then, the
    StatefulSet's); ``claims`` come from ``claim_facts``; ``log_lines`` end with the failing
    container's last line.
    """
    summaries = summarize_events(events)
    facts = {
        "problem": problem,
        "ordinal": ordinal,
        "pod": podinfo.name_of(pod) if pod else "%s-%d" % (statefulset_name, ordinal),
        "phase": podinfo.phase_of(pod) if pod else None,
        "conditions": {c["type"]: c.get("status") for c in (pod or {}).get("status", {}).get("conditions") or []},
        "node": (pod or {}).get("spec", {}).get("nodeName"),
        "events": summaries,
        "log_tail": list(log_lines or []),
        "claims": list(claims),
        "container": None,
        "reason": None,
        "restarts": podinfo.restarts_of(pod) if pod else 0,
        "exit_code": None,
    }
    seconds = int(round(now - started))
    subject = "%s (ordinal %d of %d)" % (facts["pod"], ordinal, target)
    hint = HINTS.get(problem)

    if problem == NOT_CREATED:
        failed = [s for s in summaries if s["type"] == "Warning"]
        facts["reason"] = failed[-1]["reason"] if failed else None
        text = "%s was not created after %d s" % (subject, seconds)
        if failed:
            text += ": the StatefulSet controller reports %s x%d %s" % (
                failed[-1]["reason"], failed[-1]["count"], _quote(failed[-1]["message"]))
        facts["message"] = text + "; " + hint
        return facts

    blocked = podinfo.blocked_container(pod) if pod else None
    if blocked:
        facts.update(container=blocked["container"], reason=blocked["reason"], exit_code=blocked["exit_code"])
        detail = "%s, container %s in %s" % (facts["phase"], blocked["container"], blocked["reason"])
        extras = []
        if blocked["exit_code"] is not None:
            extras.append("exit %s" % blocked["exit_code"])
        extras.append("%d restarts" % blocked["restarts"])
        detail += " (%s)" % ", ".join(extras)
        if blocked["message"] and blocked["reason"] != "CrashLoopBackOff":
            detail += ": " + _quote(blocked["message"])
        hint = HINTS.get(blocked["reason"], hint)
    elif pod and podinfo.unschedulable(pod):
        facts["reason"] = "Unschedulable"
        detail = "%s, not scheduled: %s" % (facts["phase"], _quote(podinfo.unschedulable(pod)))
        if facts["claims"]:
            detail += "; " + "; ".join(_claim_phrase(c) for c in facts["claims"])
            if any(c["phase"] != "Bound" for c in facts["claims"]):
                hint = HINTS["claim"]
        else:
            hint = HINTS[UNSCHEDULABLE]
    elif pod and podinfo.running_since(pod) is not None:
        container = podinfo.unready_container(pod)
        facts.update(container=container, reason="ReadinessProbeFailing" if container else "NotReady")
        detail = "Running, container %s not Ready" % container if container else "Running, not Ready"
        probe = last_message(summaries, "Unhealthy")
        if probe:
            detail += ": " + _quote(probe)
        since = unready_since(pod)
        if since is not None:
            detail += " (unready for %d s)" % max(0, int(round(now - since)))
        hint = HINTS[UNREADY]
    elif pod is None:
        detail = "not created yet"
    else:
        waiting = [c for c in podinfo.container_statuses(pod) if (c.get("state") or {}).get("waiting")]
        facts["reason"] = waiting[0]["state"]["waiting"].get("reason") if waiting else facts["phase"]
        if not facts["node"]:
            detail = "%s, not scheduled yet" % facts["phase"]
        elif waiting:
            detail = "%s on %s, container %s waiting (%s)" % (facts["phase"], facts["node"], waiting[0]["name"],
                                                              facts["reason"])
        else:
            detail = "%s on %s, containers not started" % (facts["phase"], facts["node"])

    text = "%s not Ready after %d s: %s" % (subject, seconds, detail)
    if facts["log_tail"]:
        text += "; last log line: " + _quote(facts["log_tail"][-1])
    if summaries:
        text += "; events: " + events_phrase(summaries)
    if hint:
        text += ". Next: " + hint
    facts["message"] = text
    return facts
