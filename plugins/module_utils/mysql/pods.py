# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The servers of a MariaDB/MySQL StatefulSet, found through the Kubernetes API, and the role label."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64

from ansible_collections.stateful.kube.plugins.module_utils.k8s import ordinals
from ansible_collections.stateful.kube.plugins.module_utils.k8s.client import ApiException
from ansible_collections.stateful.kube.plugins.module_utils.k8s.objects import get, read_json
from ansible_collections.stateful.kube.plugins.module_utils.k8s.selectors import selector_of
from ansible_collections.stateful.kube.plugins.module_utils.mysql.observe import Member

ROLE_LABEL = "stateful.kube/mysql-role"
REQUEST_TIMEOUT = 20


def find_members(clients, namespace, name, port):
    """``(members, problems)``: one Member per pod of the StatefulSet, in ordinal order.

    Replicas reach their source by the pod's stable name under the headless Service
    (``<pod>.<service>``), which survives the pod's restarts; the IP is an alias (and what
    the direct transport connects to).
    """
    try:
        statefulset = read_json(clients.apps.read_namespaced_stateful_set, name, namespace,
                                _request_timeout=REQUEST_TIMEOUT)
    except ApiException as e:
        if getattr(e, "status", None) == 404:
            return [], ["StatefulSet %s/%s does not exist" % (namespace, name)]
        raise
    service = get(statefulset, "spec.serviceName") or name
    listed = read_json(clients.core.list_namespaced_pod, namespace, label_selector=selector_of(statefulset),
                       _request_timeout=REQUEST_TIMEOUT).get("items") or []
    pods = dict((get(pod, "metadata.name"), pod) for pod in listed)
    members, problems = [], []
    for ordinal in ordinals.ordinals_of(statefulset):
        pod_name = ordinals.pod_name(name, ordinal)
        pod = pods.get(pod_name)
        if pod is None:
            problems.append("pod %s does not exist" % pod_name)
            continue
        if get(pod, "metadata.deletionTimestamp"):
            problems.append("pod %s is terminating" % pod_name)
            continue
        if not get(pod, "status.podIP") or get(pod, "status.phase") != "Running":
            problems.append("pod %s is %s without an IP yet" % (pod_name, get(pod, "status.phase")))
            continue
        role = (get(pod, "metadata.labels") or {}).get(ROLE_LABEL)
        member = Member(pod_name, ordinal, "%s.%s" % (pod_name, service), port, ip=get(pod, "status.podIP"),
                        pod=pod_name, primary_label=role == "primary", role_label=role)
        member.uid = get(pod, "metadata.uid")
        members.append(member)
    return members, problems


def set_role(clients, namespace, member, role):
    """Label one pod primary or replica (the -primary and -read Services select by it)."""
    clients.core.patch_namespaced_pod(member.pod, namespace, {"metadata": {"labels": {ROLE_LABEL: role}}},
                                      _request_timeout=REQUEST_TIMEOUT)
    member.role_label = role
    member.primary_label = role == "primary"


def secret_values(clients, namespace, name):
    """``{key: text}`` of a Secret (raises ValueError saying what is missing)."""
    try:
        secret = read_json(clients.core.read_namespaced_secret, name, namespace, _request_timeout=REQUEST_TIMEOUT)
    except ApiException as e:
        raise ValueError("cannot read Secret %s/%s: %s" % (namespace, name, getattr(e, "reason", e))) from e
    return dict((k, base64.b64decode(v).decode("utf-8")) for k, v in (secret.get("data") or {}).items())
