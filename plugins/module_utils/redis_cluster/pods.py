# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The members of a Redis StatefulSet, found through the Kubernetes API: pod, IP and node."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64

from ansible_collections.stateful.kube.plugins.module_utils.k8s import ordinals
from ansible_collections.stateful.kube.plugins.module_utils.k8s import pods as podinfo
from ansible_collections.stateful.kube.plugins.module_utils.k8s.client import ApiException
from ansible_collections.stateful.kube.plugins.module_utils.k8s.objects import get, read_json
from ansible_collections.stateful.kube.plugins.module_utils.k8s.selectors import selector_of
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.transport import Member

REQUEST_TIMEOUT = 20


def find_members(clients, namespace, name, port):
    """``(members, problems)``: one Member per pod of the StatefulSet, in ordinal order.

    The StatefulSet's ordinals (from ``spec.ordinals.start``), and any pod above them still
    there, are members. A pod that is missing, terminating or without an IP is a problem (a
    text saying so), not a member: the cluster cannot be judged without it.
    """
    try:
        statefulset = read_json(clients.apps.read_namespaced_stateful_set, name, namespace,
                                _request_timeout=REQUEST_TIMEOUT)
    except ApiException as e:
        if getattr(e, "status", None) == 404:
            return [], ["StatefulSet %s/%s does not exist" % (namespace, name)]
        raise
    listed = read_json(clients.core.list_namespaced_pod, namespace, label_selector=selector_of(statefulset),
                       _request_timeout=REQUEST_TIMEOUT).get("items") or []
    pods = dict((get(pod, "metadata.name"), pod) for pod in listed)
    wanted = ordinals.ordinals_of(statefulset)
    # Pods above the StatefulSet's ordinals that still run are members leaving the cluster.
    found = [ordinal for ordinal in ordinals.by_ordinal(list(pods), name) if ordinal >= wanted.start]
    members = []
    problems = []
    for ordinal in range(wanted.start, max(found + [wanted.stop - 1]) + 1):
        pod_name = ordinals.pod_name(name, ordinal)
        pod = pods.get(pod_name)
        if pod is None:
            problems.append("pod %s does not exist" % pod_name)
            continue
        if podinfo.is_terminating(pod):
            problems.append("pod %s is terminating" % pod_name)
            continue
        if not get(pod, "status.podIP") or get(pod, "status.phase") != "Running":
            problems.append("pod %s is %s without an IP yet" % (pod_name, get(pod, "status.phase")))
            continue
        members.append(Member(pod_name, get(pod, "status.podIP"), port, k8s_node=get(pod, "spec.nodeName"),
                              ordinal=ordinal, pod=pod_name))
    return members, problems


def secret_value(clients, namespace, name, key):
    """The decoded value of ``key`` in Secret ``name`` (raises ValueError saying what is missing)."""
    try:
        secret = read_json(clients.core.read_namespaced_secret, name, namespace, _request_timeout=REQUEST_TIMEOUT)
    except ApiException as e:
        raise ValueError("cannot read Secret %s/%s: %s" % (namespace, name, getattr(e, "reason", e))) from e
    data = secret.get("data") or {}
    if key not in data:
        raise ValueError("Secret %s/%s has no key %r (keys: %s)" % (namespace, name, key, ", ".join(sorted(data))))
    return base64.b64decode(data[key]).decode("utf-8")
