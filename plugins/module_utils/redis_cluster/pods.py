# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The members of a Redis StatefulSet, found through the Kubernetes API: pod, IP and node."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s import statefulset_pods
from ansible_collections.stateful.kube.plugins.module_utils.k8s.objects import get
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.transport import Member

REQUEST_TIMEOUT = 20


def find_members(clients, namespace, name, port):
    """``(members, problems)``: one Member per running pod of the StatefulSet, in ordinal order.

    The StatefulSet's ordinals (from ``spec.ordinals.start``), and any pod above them still
    there, are members: pods above the ordinals that still run are members leaving the
    cluster. A pod that is missing, terminating or without an IP is a problem (a text saying
    so), not a member: the cluster cannot be judged without it.
    """
    _statefulset, running, problems = statefulset_pods.running_pods(clients, namespace, name, include_leaving=True,
                                                                    request_timeout=REQUEST_TIMEOUT)
    members = [Member(get(pod, "metadata.name"), get(pod, "status.podIP"), port, k8s_node=get(pod, "spec.nodeName"),
                      ordinal=ordinal, pod=get(pod, "metadata.name"))
               for ordinal, pod in running]
    return members, problems
