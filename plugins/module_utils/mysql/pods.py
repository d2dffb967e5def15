# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The servers of a MariaDB/MySQL StatefulSet, found through the Kubernetes API, and the role label."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s import statefulset_pods
from ansible_collections.stateful.kube.plugins.module_utils.k8s.objects import get
from ansible_collections.stateful.kube.plugins.module_utils.mysql.observe import Member

ROLE_LABEL = "stateful.kube/mysql-role"
REQUEST_TIMEOUT = 20


def find_members(clients, namespace, name, port):
    """``(members, problems)``: one Member per running pod of the StatefulSet, in ordinal order.

    Replicas reach their source by the pod's stable name under the headless Service
    (``<pod>.<service>``), which survives the pod's restarts; the IP is an alias (and what
    the direct transport connects to).
    """
    statefulset, running, problems = statefulset_pods.running_pods(clients, namespace, name,
                                                                   request_timeout=REQUEST_TIMEOUT)
    service = get(statefulset, "spec.serviceName") or name
    members = []
    for ordinal, pod in running:
        pod_name = get(pod, "metadata.name")
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
