# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read what explains a pod that does not come up: its events, its container's last log lines, its claims.

Only called once a wait has something to explain; every read is bounded and a read that
fails (a missing right, a pod gone meanwhile) leaves that part out instead of hiding the
failure being explained.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s import diagnosis
from ansible_collections.stateful.kube.plugins.module_utils.k8s import events as eventinfo
from ansible_collections.stateful.kube.plugins.module_utils.k8s import pods as podinfo
from ansible_collections.stateful.kube.plugins.module_utils.k8s.client import ApiException
from ansible_collections.stateful.kube.plugins.module_utils.k8s.objects import name_of, read_json
from ansible_collections.stateful.kube.plugins.module_utils.k8s.selectors import selector_of

LOG_LINES = 10
REQUEST_TIMEOUT = 10


class Inspector:
    """Reads explanations about objects of ``namespace``."""

    def __init__(self, clients, namespace):
        self.clients = clients
        self.namespace = namespace

    def events(self, kind, name):
        return eventinfo.read_events(self.clients, self.namespace, kind, name)

    def log_tail(self, pod, container, previous):
        """The last lines of ``container``'s log (of its previous run first when ``previous``), or None."""
        if not container:
            return None
        for from_previous in ((True, False) if previous else (False,)):
            try:
                text = self.clients.core.read_namespaced_pod_log(
                    name_of(pod), self.namespace, container=container, tail_lines=LOG_LINES,
                    previous=from_previous, _request_timeout=REQUEST_TIMEOUT)
            except ApiException:
                continue
            lines = [line for line in (text or "").splitlines() if line.strip()]
            if lines:
                return lines
        return None

    def claims(self, pod):
        """``diagnosis.claim_facts`` of each claim the pod mounts, with its StorageClass and events."""
        found = []
        for claim_name in podinfo.claim_names(pod):
            try:
                claim = read_json(self.clients.core.read_namespaced_persistent_volume_claim, claim_name,
                                  self.namespace, _request_timeout=REQUEST_TIMEOUT)
            except ApiException:
                continue
            class_name = claim.get("spec", {}).get("storageClassName")
            storage_class = None
            if class_name:
                try:
                    storage_class = read_json(self.clients.storage.read_storage_class, class_name,
                                              _request_timeout=REQUEST_TIMEOUT)
                except ApiException:
                    storage_class = None
            found.append(diagnosis.claim_facts(claim, storage_class, self.events("PersistentVolumeClaim", claim_name)))
        return found

    def explain(self, pod, now):
        """``(facts, detail, hint)`` of ``diagnosis.explain_pod``, the facts with events, log tail and claims."""
        summaries = eventinfo.summarize_events(self.events("Pod", name_of(pod)))
        blocked = podinfo.blocked_container(pod)
        container = blocked["container"] if blocked else podinfo.unready_container(pod)
        logs = self.log_tail(pod, container, previous=bool(blocked and blocked["restarts"]))
        claims = self.claims(pod) if podinfo.unschedulable(pod) else ()
        facts, detail, hint = diagnosis.explain_pod(pod, summaries, claims, now)
        facts.update(events=summaries, log_tail=list(logs or []), claims=list(claims))
        return facts, detail, hint

    def pods_of(self, owner, now):
        """One sentence per pod ``owner`` (a Deployment, a StatefulSet...) selects, joined; says so when none."""
        pods = read_json(self.clients.core.list_namespaced_pod, self.namespace, label_selector=selector_of(owner),
                         _request_timeout=REQUEST_TIMEOUT).get("items") or []
        if not pods:
            return "no pod exists (check the events of %s %s and its ReplicaSet: ServiceAccount, quota, admission)" % (
                owner.get("kind"), name_of(owner))
        parts = []
        for pod in pods:
            facts, detail, hint = self.explain(pod, now)
            parts.append(diagnosis.sentence("pod %s" % facts["pod"], detail, facts["log_tail"], facts["events"], hint))
        return " | ".join(parts)
