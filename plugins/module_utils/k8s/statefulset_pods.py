# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pods of a StatefulSet that can be talked to, by ordinal, and why the others cannot.

Every domain that talks to its servers one pod at a time (MySQL, Redis) starts here and
only turns the running pods into its own members.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s import ordinals
from ansible_collections.stateful.kube.plugins.module_utils.k8s import pods as podinfo
from ansible_collections.stateful.kube.plugins.module_utils.k8s.client import ApiException
from ansible_collections.stateful.kube.plugins.module_utils.k8s.objects import get, read_json
from ansible_collections.stateful.kube.plugins.module_utils.k8s.selectors import selector_of

REQUEST_TIMEOUT = 20


def running_pods(clients, namespace, name, include_leaving=False, request_timeout=REQUEST_TIMEOUT):
    """``(statefulset, [(ordinal, pod)], problems)``: the StatefulSet, its running pods in ordinal order.

    The StatefulSet's ordinals (from ``spec.ordinals.start``) are walked; with
    ``include_leaving``, so are the pods above them that still exist (a scale-down whose
    pods are still leaving). A pod that is missing, terminating, not Running or without an
    IP is a problem (a text saying so), not a running pod. A StatefulSet that does not
    exist is ``None`` and a problem, not an error.
    """
    try:
        statefulset = read_json(clients.apps.read_namespaced_stateful_set, name, namespace,
                                _request_timeout=request_timeout)
    except ApiException as e:
        if getattr(e, "status", None) == 404:
            return None, [], ["StatefulSet %s/%s does not exist" % (namespace, name)]
        raise
    listed = read_json(clients.core.list_namespaced_pod, namespace, label_selector=selector_of(statefulset),
                       _request_timeout=request_timeout).get("items") or []
    pods = dict((get(pod, "metadata.name"), pod) for pod in listed)
    wanted = ordinals.ordinals_of(statefulset)
    last = wanted.stop - 1
    if include_leaving:
        last = max([ordinal for ordinal in ordinals.by_ordinal(list(pods), name) if ordinal >= wanted.start] + [last])
    running, problems = [], []
    for ordinal in range(wanted.start, last + 1):
        pod_name = ordinals.pod_name(name, ordinal)
        pod = pods.get(pod_name)
        if pod is None:
            problems.append("pod %s does not exist" % pod_name)
        elif podinfo.is_terminating(pod):
            problems.append("pod %s is terminating" % pod_name)
        elif not get(pod, "status.podIP") or get(pod, "status.phase") != "Running":
            problems.append("pod %s is %s without an IP yet" % (pod_name, get(pod, "status.phase")))
        else:
            running.append((ordinal, pod))
    return statefulset, running, problems
