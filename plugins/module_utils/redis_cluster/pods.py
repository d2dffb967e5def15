# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The members of a Redis StatefulSet, found through the Kubernetes API: pod, IP and node."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64

from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.transport import Member
from ansible_collections.stateful.kube.plugins.module_utils.statefulset import ordinals

try:
    from kubernetes.client.rest import ApiException
except ImportError:  # the module reports the missing library through new_module()
    ApiException = Exception


def find_members(core, apps, namespace, name, port):
    """``(members, problems)``: one Member per pod of the StatefulSet, in ordinal order.

    A pod that is missing, terminating or without an IP is a problem (a text saying so),
    not a member: the cluster cannot be judged without it.
    """
    try:
        statefulset = apps.read_namespaced_stateful_set(name, namespace)
    except ApiException as e:
        if getattr(e, "status", None) == 404:
            return [], ["StatefulSet %s/%s does not exist" % (namespace, name)]
        raise
    labels = (statefulset.spec.selector.match_labels or {}) if statefulset.spec.selector else {}
    selector = ",".join("%s=%s" % item for item in sorted(labels.items()))
    pods = dict((pod.metadata.name, pod) for pod in core.list_namespaced_pod(namespace, label_selector=selector).items)
    found = ordinals.by_ordinal(list(pods), name)
    members = []
    problems = []
    for ordinal in range(max(list(found) + [statefulset.spec.replicas - 1, -1]) + 1):
        pod_name = ordinals.pod_name(name, ordinal)
        pod = pods.get(pod_name)
        if pod is None:
            problems.append("pod %s does not exist" % pod_name)
            continue
        if pod.metadata.deletion_timestamp:
            problems.append("pod %s is terminating" % pod_name)
            continue
        if not pod.status.pod_ip or pod.status.phase != "Running":
            problems.append("pod %s is %s without an IP yet" % (pod_name, pod.status.phase))
            continue
        members.append(Member(pod_name, pod.status.pod_ip, port, k8s_node=pod.spec.node_name, ordinal=ordinal,
                              pod=pod_name))
    return members, problems


def secret_value(core, namespace, name, key):
    """The decoded value of ``key`` in Secret ``name`` (raises ValueError saying what is missing)."""
    try:
        secret = core.read_namespaced_secret(name, namespace)
    except ApiException as e:
        raise ValueError("cannot read Secret %s/%s: %s" % (namespace, name, getattr(e, "reason", e))) from e
    data = secret.data or {}
    if key not in data:
        raise ValueError("Secret %s/%s has no key %r (keys: %s)" % (namespace, name, key, ", ".join(sorted(data))))
    return base64.b64decode(data[key]).decode("utf-8")


def write_secret_value(core, namespace, name, key, value):
    """Set ``key`` of Secret ``name`` to ``value`` (a merge patch: other keys are kept)."""
    data = {key: base64.b64encode(value.encode("utf-8")).decode("ascii")}
    core.patch_namespaced_secret(name, namespace, {"data": data})
