# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Questions about one Pod, asked of the Pod as the API returns it (a JSON dict, camelCase keys).

Working on the raw JSON (the watch's ``raw_object``) keeps the predicates testable with
objects captured from a real cluster, and spares deserialising every watch event.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s.objects import parse_time

# The label the StatefulSet controller puts on each pod: the name of its ControllerRevision.
REVISION_LABEL = "controller-revision-hash"

# Waiting reasons after which the kubelet will not make progress by itself: the image, the
# command or the container's configuration has to change first.
HOPELESS_WAITING_REASONS = (
    "CrashLoopBackOff",
    "ErrImagePull",
    "ImagePullBackOff",
    "InvalidImageName",
    "ErrImageNeverPull",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
)


def condition(pod, kind):
    """The pod's condition of type ``kind`` (``Ready``, ``PodScheduled``, ...) or an empty dict."""
    for found in pod.get("status", {}).get("conditions") or []:
        if found.get("type") == kind:
            return found
    return {}


def is_ready(pod):
    return condition(pod, "Ready").get("status") == "True" and not is_terminating(pod)


def ready_since(pod):
    """When the pod last became Ready (epoch seconds, whole-second precision), or None if it is not Ready."""
    if not is_ready(pod):
        return None
    return parse_time(condition(pod, "Ready").get("lastTransitionTime"))


def is_terminating(pod):
    return bool(pod.get("metadata", {}).get("deletionTimestamp"))


def revision_of(pod):
    return (pod.get("metadata", {}).get("labels") or {}).get(REVISION_LABEL)


def phase_of(pod):
    return pod.get("status", {}).get("phase", "Pending")


def container_statuses(pod):
    """Init containers first, then the app containers: the order in which they block a pod."""
    status = pod.get("status", {})
    return list(status.get("initContainerStatuses") or []) + list(status.get("containerStatuses") or [])


def restarts_of(pod):
    return sum(c.get("restartCount", 0) for c in container_statuses(pod))


def blocked_container(pod):
    """The first container stuck in a state it cannot leave by itself, as a dict, or None.

    ``{"container", "reason", "message", "restarts", "exit_code", "last_reason"}``: the
    exit code and reason are the previous run's, which is what explains a crash loop.
    """
    for status in container_statuses(pod):
        waiting = (status.get("state") or {}).get("waiting") or {}
        if waiting.get("reason") in HOPELESS_WAITING_REASONS:
            last = (status.get("lastState") or {}).get("terminated") or {}
            return {
                "container": status.get("name"),
                "reason": waiting["reason"],
                "message": waiting.get("message", ""),
                "restarts": status.get("restartCount", 0),
                "exit_code": last.get("exitCode"),
                "last_reason": last.get("reason"),
            }
    return None


def unready_container(pod):
    """The first running container that is not ready (its readiness probe is failing), or None."""
    for status in pod.get("status", {}).get("containerStatuses") or []:
        if (status.get("state") or {}).get("running") is not None and not status.get("ready"):
            return status.get("name")
    return None


def unschedulable(pod):
    """The scheduler's message when it could not place the pod, else None."""
    scheduled = condition(pod, "PodScheduled")
    if scheduled.get("status") == "False" and scheduled.get("reason") == "Unschedulable":
        return scheduled.get("message") or "Unschedulable"
    return None


def running_since(pod):
    """When the pod's containers last started (epoch seconds), or None if any of them is not running."""
    statuses = pod.get("status", {}).get("containerStatuses") or []
    if not statuses or phase_of(pod) != "Running":
        return None
    started = []
    for status in statuses:
        running = (status.get("state") or {}).get("running")
        if running is None:
            return None
        started.append(parse_time(running.get("startedAt")) or 0)
    return max(started)


def unready_since(pod):
    """When a running pod became unready: the later of its containers' start and its Ready condition's change."""
    running = running_since(pod)
    if running is None or is_ready(pod):
        return None
    changed = parse_time(condition(pod, "Ready").get("lastTransitionTime")) or 0
    return max(running, changed)


def claim_names(pod):
    """Names of the PersistentVolumeClaims the pod mounts."""
    names = []
    for volume in pod.get("spec", {}).get("volumes") or []:
        claim = volume.get("persistentVolumeClaim")
        if claim and claim.get("claimName"):
            names.append(claim["claimName"])
    return names
