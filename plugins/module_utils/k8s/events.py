# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The events of an object: read once there is something to explain, summed up for a person."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s.client import ApiException
from ansible_collections.stateful.kube.plugins.module_utils.k8s.objects import read_json

REQUEST_TIMEOUT = 10


def read_events(clients, namespace, kind, name):
    """The events about ``kind`` ``name`` in ``namespace`` (dicts); none when they cannot be read.

    Events only explain a failure: a missing right to read them must not hide the failure.
    """
    selector = "involvedObject.kind=%s,involvedObject.name=%s" % (kind, name)
    try:
        return read_json(clients.core.list_namespaced_event, namespace, field_selector=selector,
                         _request_timeout=REQUEST_TIMEOUT).get("items") or []
    except ApiException:
        return []


def event_time(event):
    return (event.get("lastTimestamp") or event.get("eventTime") or event.get("firstTimestamp")
            or event.get("metadata", {}).get("creationTimestamp") or "")


def _event_order(event):
    # Timestamps have whole seconds: within one, the later update has the higher resourceVersion.
    version = event.get("metadata", {}).get("resourceVersion") or "0"
    return event_time(event), int(version) if version.isdigit() else 0


def summarize_events(events, limit=5):
    """The last ``limit`` events, oldest first, as ``{type, reason, message, count, last_seen}``."""
    ordered = sorted(events or [], key=_event_order)[-limit:]
    return [{
        "type": e.get("type"),
        "reason": e.get("reason"),
        "message": (e.get("message") or "").strip(),
        "count": e.get("count") or 1,
        "last_seen": event_time(e),
    } for e in ordered]


def events_phrase(summaries):
    """``BackOff x4, Unhealthy x12``: one entry per reason, in the order they last happened."""
    counts = {}
    for summary in summaries:
        counts.pop(summary["reason"], None)
        counts[summary["reason"]] = summary["count"]
    return ", ".join("%s x%d" % item for item in counts.items())


def last_message(summaries, reason):
    """The message of the latest summary with ``reason``, or None."""
    for summary in reversed(summaries):
        if summary["reason"] == reason:
            return summary["message"]
    return None


def latest_warning(summaries):
    """The latest Warning summary, or None."""
    warnings = [s for s in summaries if s["type"] == "Warning"]
    return warnings[-1] if warnings else None
