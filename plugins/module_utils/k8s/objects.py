# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one form of a Kubernetes object in this collection: a plain dict, as the API returns it.

Reads go through ``read_json`` (typed API calls without model building) or the dynamic
client's ``to_dict``; anything that still holds a typed model goes through ``as_dict``.
Domains then read fields with the small accessors below, never with attributes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import json
import time


def read_json(call, *args, **kwargs):
    """Call a typed API method and return its JSON body as dicts, skipping model building (faster, one form)."""
    kwargs["_preload_content"] = False
    response = call(*args, **kwargs)
    return json.loads(response.data)


def as_dict(api_client, model):
    """A typed model (``V1Pod``...) as the dict the API sent: camelCase keys, timestamps as strings."""
    return api_client.sanitize_for_serialization(model)


def get(obj, path, default=None):
    """``get(pod, "status.phase")``: the value at a dotted path, or ``default`` when any step is missing."""
    value = obj
    for key in path.split("."):
        if not isinstance(value, dict) or value.get(key) is None:
            return default
        value = value[key]
    return value


def name_of(obj):
    return (obj or {}).get("metadata", {}).get("name")


def namespace_of(obj):
    return (obj or {}).get("metadata", {}).get("namespace")


def labels_of(obj):
    return (obj or {}).get("metadata", {}).get("labels") or {}


def object_id(obj):
    """``Kind namespace/name`` (or ``Kind name`` when cluster-scoped): how reports name an object."""
    meta = obj["metadata"]
    if meta.get("namespace"):
        return "%s %s/%s" % (obj["kind"], meta["namespace"], meta["name"])
    return "%s %s" % (obj["kind"], meta["name"])


def generation_observed(obj):
    """Whether the object's controller has seen its latest spec (``status.observedGeneration``)."""
    return (get(obj, "status.observedGeneration", 0)) >= (get(obj, "metadata.generation", 0))


def parse_time(value):
    """Seconds since the epoch of an RFC 3339 API timestamp (``2024-05-01T10:00:00Z``), or None."""
    if not value:
        return None
    text = value.rstrip("Z")
    fraction = 0.0
    if "." in text:
        text, digits = text.split(".", 1)
        fraction = float("0." + digits)
    try:
        return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%S")) + fraction
    except ValueError:
        return None
