# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Why a pod does not come up, told so that a person can act on it (pure functions).

``explain_pod`` reads the pod (its containers' states, its scheduling, its readiness),
its summarised events and its claims, and returns the facts, one phrase of what holds it
up and the hint of what to do; ``sentence`` joins them into the message every wait of
this collection fails with. Reading the events, logs and claims is ``inspect``'s job.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s import events as eventinfo
from ansible_collections.stateful.kube.plugins.module_utils.k8s import pods as podinfo
from ansible_collections.stateful.kube.plugins.module_utils.k8s.objects import name_of

UNSCHEDULABLE = "unschedulable"
UNREADY = "unready"
CLAIM = "claim"

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
    CLAIM: "make the claim bindable: a StorageClass whose provisioner runs, or a matching PersistentVolume",
    UNREADY: "check what the readiness probe tests and why the application does not pass it",
}


def quote(text, width=240):
    """``text`` on one line, in double quotes, cut at ``width`` characters."""
    text = " ".join((text or "").split())
    return '"%s"' % (text if len(text) <= width else text[:width - 3] + "...")


def claim_facts(claim, storage_class, events):
    """What a person needs to know about one of a pod's claims."""
    spec = claim.get("spec", {})
    class_name = spec.get("storageClassName")
    return {
        "name": name_of(claim),
        "phase": (claim.get("status") or {}).get("phase", "Pending"),
        "storage_class": class_name,
        "storage_class_exists": storage_class is not None,
        "provisioner": (storage_class or {}).get("provisioner"),
        "events": eventinfo.summarize_events(events, limit=3),
    }


def claim_phrase(facts):
    """``claim data-web-0 Pending (StorageClass x, provisioner y): Reason xN "message"``."""
    if facts["storage_class"] and not facts["storage_class_exists"]:
        where = "StorageClass %s does not exist" % facts["storage_class"]
    elif facts["storage_class"]:
        where = "StorageClass %s, provisioner %s" % (facts["storage_class"], facts["provisioner"])
    else:
        where = "no StorageClass"
    phrase = "claim %s %s (%s)" % (facts["name"], facts["phase"], where)
    if facts["events"]:
        last = facts["events"][-1]
        phrase += ": %s x%d %s" % (last["reason"], last["count"], quote(last["message"]))
    return phrase


def pod_facts(pod):
    """The facts about a pod that every explanation starts from."""
    return {
        "pod": name_of(pod),
        "phase": podinfo.phase_of(pod),
        "conditions": {c["type"]: c.get("status") for c in pod.get("status", {}).get("conditions") or []},
        "node": pod.get("spec", {}).get("nodeName"),
        "container": None,
        "reason": None,
        "restarts": podinfo.restarts_of(pod),
        "exit_code": None,
    }


def explain_pod(pod, summaries=(), claims=(), now=0.0):
    """``(facts, detail, hint)``: what holds ``pod`` up, in a phrase, and what to do (None when nothing specific).

    ``summaries`` are its events (``events.summarize_events``); ``claims`` come from ``claim_facts``.
    """
    facts = pod_facts(pod)
    hint = None
    blocked = podinfo.blocked_container(pod)
    if blocked:
        facts.update(container=blocked["container"], reason=blocked["reason"], exit_code=blocked["exit_code"])
        detail = "%s, container %s in %s" % (facts["phase"], blocked["container"], blocked["reason"])
        extras = []
        if blocked["exit_code"] is not None:
            extras.append("exit %s" % blocked["exit_code"])
        extras.append("%d restarts" % blocked["restarts"])
        detail += " (%s)" % ", ".join(extras)
        if blocked["message"] and blocked["reason"] != "CrashLoopBackOff":
            detail += ": " + quote(blocked["message"])
        hint = HINTS.get(blocked["reason"])
    elif podinfo.unschedulable(pod):
        facts["reason"] = "Unschedulable"
        detail = "%s, not scheduled: %s" % (facts["phase"], quote(podinfo.unschedulable(pod)))
        if claims:
            detail += "; " + "; ".join(claim_phrase(c) for c in claims)
            if any(c["phase"] != "Bound" for c in claims):
                hint = HINTS[CLAIM]
        else:
            hint = HINTS[UNSCHEDULABLE]
    elif podinfo.running_since(pod) is not None:
        container = podinfo.unready_container(pod)
        facts.update(container=container, reason="ReadinessProbeFailing" if container else "NotReady")
        detail = "Running, container %s not Ready" % container if container else "Running, not Ready"
        probe = eventinfo.last_message(summaries, "Unhealthy")
        if probe:
            detail += ": " + quote(probe)
        since = podinfo.unready_since(pod)
        if since is not None:
            detail += " (unready for %d s)" % max(0, int(round(now - since)))
        hint = HINTS[UNREADY]
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
    return facts, detail, hint


def sentence(head, detail, log_lines=None, summaries=(), hint=None):
    """``<head>: <detail>; last log line: "..."; events: A x1, B x3. Next: <hint>``."""
    text = "%s: %s" % (head, detail)
    if log_lines:
        text += "; last log line: " + quote(log_lines[-1])
    if summaries:
        text += "; events: " + eventinfo.events_phrase(summaries)
    if hint:
        text += ". Next: " + hint
    return text
