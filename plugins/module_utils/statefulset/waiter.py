# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The wait itself: follow the StatefulSet and its pods until the rollout is done, hopeless, or late.

The only step of statefulset_wait_ordered that talks to the API server. Everything it
decides, it decides through the pure functions of ``rollout``, ``diagnosis`` and
``report``; it reads events, claims and logs only once it has something to explain.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import gc
import time

try:
    import queue as queue_module
except ImportError:  # Python 2 is not supported; the name only keeps the import guard uniform
    queue_module = None

try:
    from kubernetes.client.rest import ApiException
except ImportError:
    ApiException = Exception

from ansible_collections.stateful.kube.plugins.module_utils.statefulset import diagnosis
from ansible_collections.stateful.kube.plugins.module_utils.statefulset import feed
from ansible_collections.stateful.kube.plugins.module_utils.statefulset import pods as podinfo
from ansible_collections.stateful.kube.plugins.module_utils.statefulset import report
from ansible_collections.stateful.kube.plugins.module_utils.statefulset import rollout

LOG_LINES = 10
# How long an ordinal the controller should create may stay missing before its events are read.
NOT_CREATED_GRACE = 3.0
# While a pod is not Ready, time-based rules (ready_for, unready_timeout, the scheduler's
# grace) are re-checked this often against the state already received: no request is made.
RECHECK_SECONDS = 0.5
# Errors that retrying cannot fix: the module's credentials lack a right.
FATAL_STATUS = (401, 403)


def finishing():
    """Let the process end quickly once the answer is known.

    The interpreter's final garbage collection walks every object the kubernetes client
    loaded (some 0.2 s, longer than the rest of the work after the last pod is Ready);
    frozen objects are skipped. Nothing is lost: the process is about to end.
    """
    if hasattr(gc, "freeze"):
        gc.freeze()


class WaitFailed(Exception):
    def __init__(self, message, result, facts=None):
        super(WaitFailed, self).__init__(message)
        self.message = message
        self.result = result
        self.facts = facts


class Waiter:
    """Waits for StatefulSet ``namespace/name``; ``run()`` returns the result or raises WaitFailed."""

    def __init__(self, clients, namespace, name, replicas=None, timeout=300, ordered=True, ready_for=0,
                 fail_fast=True, unready_timeout=None, clock=time.time):
        self.clients = clients
        self.namespace = namespace
        self.name = name
        self.replicas = replicas
        self.timeout = timeout
        self.ordered = ordered
        self.ready_for = ready_for or 0
        self.fail_fast = fail_fast
        self.unready_timeout = unready_timeout
        self.clock = clock
        self.queue = queue_module.Queue()
        self.feeds = {}
        self.statefulset = None
        self.pods = {}  # name -> pod dict
        self.pods_synced = False
        self.initial_uids = {}  # ordinal -> uid of its pod when the wait started
        self.seen_ready = {}  # ordinal -> when the watch delivered its Ready transition
        self.missing_since = None
        self.checked_not_created = 0.0
        self.started = None
        self.last_error = None  # the last failed list or watch, told when the wait ends without an answer

    # -- observe ---------------------------------------------------------------------------

    def _start_feed(self, key, call, *args, **query):
        self.feeds[key] = feed.Feed(key, self.queue, call, *args, **query)
        self.feeds[key].start()

    def _stop_feeds(self):
        for running in self.feeds.values():
            running.stop()

    def _receive(self, key, kind, payload):
        if kind == feed.ERROR:
            status = getattr(payload, "status", None)
            if status in FATAL_STATUS:
                raise WaitFailed(
                    "cannot %s %s in namespace %s: %s %s; give the module's credentials list and watch rights on them"
                    % ("watch", "statefulsets" if key == "statefulset" else "pods", self.namespace, status,
                       getattr(payload, "reason", payload)), self._result(None))
            self.last_error = "%s feed: %s" % (key, str(payload).strip().splitlines()[0] if str(payload).strip() else
                                               type(payload).__name__)
            return
        if key == "statefulset":
            if kind == feed.SYNC:
                self.statefulset = payload[0] if payload else None
            else:
                event, obj = payload
                self.statefulset = None if event == "DELETED" else obj
            if self.statefulset is not None and "pods" not in self.feeds:
                self._start_feed("pods", self.clients.core.list_namespaced_pod, self.namespace,
                                 label_selector=rollout.selector_of(self.statefulset))
            return
        now = self.clock()
        if kind == feed.SYNC:
            previous = self.pods
            self.pods = dict((podinfo.name_of(p), p) for p in payload)
            if not self.pods_synced:
                self.pods_synced = True
                self.initial_uids = dict((ordinal, pod["metadata"]["uid"]) for ordinal, pod
                                         in rollout.pods_by_ordinal(self.statefulset, payload).items())
            else:
                for name, pod in self.pods.items():
                    self._note_ready(previous.get(name), pod, now)
            return
        event, pod = payload
        name = podinfo.name_of(pod)
        if event == "DELETED":
            self.pods.pop(name, None)
        else:
            self._note_ready(self.pods.get(name), pod, now)
            self.pods[name] = pod

    def _note_ready(self, before, after, now):
        """Remember when a pod's Ready transition arrived: finer than the API's whole-second timestamps."""
        same_pod = before is not None and before["metadata"]["uid"] == after["metadata"]["uid"]
        was_ready = same_pod and podinfo.is_ready(before)
        if podinfo.is_ready(after) and not was_ready:
            ordinal = rollout.pods_by_ordinal(self.statefulset, [after])
            for number in ordinal:
                self.seen_ready[number] = now

    # -- report ----------------------------------------------------------------------------

    def _found(self):
        if self.statefulset is None:
            return {}
        return rollout.pods_by_ordinal(self.statefulset, list(self.pods.values()))

    def _ordering(self):
        if self.statefulset is None:
            return None
        if rollout.pod_management_policy(self.statefulset) == "Parallel":
            return "not enforced: podManagementPolicy is Parallel, the controller starts pods all at once"
        return "enforced" if self.ordered else "checked, not enforced (ordered: false)"

    def _violations(self):
        if self.statefulset is None or rollout.pod_management_policy(self.statefulset) == "Parallel":
            return []
        # A pod with another uid than at the start was replaced (rolling update), not created.
        replaced = set(ordinal for ordinal, pod in self._found().items()
                       if ordinal in self.initial_uids and pod["metadata"]["uid"] != self.initial_uids[ordinal])
        return report.order_violations(self.seen_ready, replaced)

    def _result(self, progress):
        now = self.clock()
        target = progress.target if progress else 0
        timings = report.ordinal_timings(self._found(), target, self.started, self.seen_ready)
        return report.result(self.statefulset, progress, timings, self.started, now, self._violations(),
                             self._ordering())

    # -- diagnose (reads events, claims and logs only when there is something to explain) ---

    def _events(self, kind, name):
        selector = "involvedObject.kind=%s,involvedObject.name=%s" % (kind, name)
        try:
            return feed.read_json(self.clients.core.list_namespaced_event, self.namespace,
                                  field_selector=selector).get("items") or []
        except ApiException:
            return []

    def _log_tail(self, pod, container, previous):
        if not container:
            return None
        for from_previous in ((True, False) if previous else (False,)):
            try:
                text = self.clients.core.read_namespaced_pod_log(
                    podinfo.name_of(pod), self.namespace, container=container, tail_lines=LOG_LINES,
                    previous=from_previous, _request_timeout=10)
            except ApiException:
                continue
            lines = [line for line in (text or "").splitlines() if line.strip()]
            if lines:
                return lines
        return None

    def _claims(self, pod):
        found = []
        for claim_name in podinfo.claim_names(pod):
            try:
                claim = feed.read_json(self.clients.core.read_namespaced_persistent_volume_claim, claim_name,
                                       self.namespace)
            except ApiException:
                continue
            class_name = claim.get("spec", {}).get("storageClassName")
            storage_class = None
            if class_name:
                try:
                    storage_class = feed.read_json(self.clients.storage.read_storage_class, class_name)
                except ApiException:
                    storage_class = None
            found.append(diagnosis.claim_facts(claim, storage_class,
                                               self._events("PersistentVolumeClaim", claim_name)))
        return found

    def _diagnose(self, problem, progress, ordinal):
        now = self.clock()
        target = progress.target if progress else 0
        pod = self._found().get(ordinal)
        if pod is None:
            return diagnosis.diagnose(problem, self.name, ordinal, target, None, self.started, now,
                                      events=self._events("StatefulSet", self.name))
        blocked = podinfo.blocked_container(pod)
        container = blocked["container"] if blocked else podinfo.unready_container(pod)
        logs = self._log_tail(pod, container, previous=bool(blocked and blocked["restarts"]))
        claims = self._claims(pod) if podinfo.unschedulable(pod) else ()
        return diagnosis.diagnose(problem, self.name, ordinal, target, pod, self.started, now,
                                  events=self._events("Pod", podinfo.name_of(pod)), log_lines=logs, claims=claims)

    def _fail(self, problem, progress, ordinal, prefix=""):
        facts = self._diagnose(problem, progress, ordinal)
        raise WaitFailed(prefix + facts["message"], self._result(progress), facts)

    # -- classify, decide ------------------------------------------------------------------

    def _check_hopeless(self, progress, now):
        found = self._found()
        for ordinal, state in progress.states.items():
            if state == rollout.NOT_READY:
                problem = diagnosis.hopeless(found.get(ordinal), now, self.unready_timeout)
                if problem:
                    self._fail(problem, progress, ordinal)
        if self._creatable_missing(progress) is None:
            self.missing_since = None
            return
        self.missing_since = self.missing_since or now
        if now - self.missing_since >= NOT_CREATED_GRACE and now - self.checked_not_created >= NOT_CREATED_GRACE:
            self.checked_not_created = now
            events = [e for e in self._events("StatefulSet", self.name)
                      if e.get("type") == "Warning" and (podinfo.parse_time(e.get("lastTimestamp")) or now)
                      >= self.started - 1]
            if events:
                ordinal = self._creatable_missing(progress)
                facts = diagnosis.diagnose(diagnosis.NOT_CREATED, self.name, ordinal, progress.target, None,
                                           self.started, now, events=events)
                raise WaitFailed(facts["message"], self._result(progress), facts)

    def _creatable_missing(self, progress):
        """The lowest missing ordinal the controller should be creating now, or None."""
        parallel = rollout.pod_management_policy(self.statefulset) == "Parallel"
        for ordinal in range(progress.target):
            state = progress.states[ordinal]
            if state == rollout.MISSING:
                return ordinal
            if not parallel and state in (rollout.NOT_READY, rollout.TERMINATING):
                return None
        return None

    def _evaluate(self, now):
        if self.statefulset is None or not self.pods_synced:
            return None, None
        progress = rollout.classify(self.statefulset, list(self.pods.values()), self.replicas, self.ready_for, now,
                                    self.seen_ready)
        if progress.done:
            return progress, True
        desired = rollout.desired_replicas(self.statefulset)
        if self.fail_fast and self.replicas is not None and self.replicas > desired and rollout.generation_observed(
                self.statefulset):
            raise WaitFailed("StatefulSet %s/%s has spec.replicas %d: waiting for %d replicas cannot succeed; "
                             "scale it first or wait for fewer" % (self.namespace, self.name, desired, self.replicas),
                             self._result(progress))
        if self.fail_fast:
            self._check_hopeless(progress, now)
        return progress, False

    def _timed_out(self, progress):
        seconds = int(round(self.clock() - self.started))
        if self.statefulset is None:
            if self.last_error and not self.feeds["statefulset"].synced:
                raise WaitFailed("StatefulSet %s/%s: no answer from the API server in %d s (timeout); last error: %s"
                                 % (self.namespace, self.name, seconds, self.last_error), self._result(None),
                                 {"problem": diagnosis.TIMEOUT, "error": self.last_error})
            raise WaitFailed(
                "StatefulSet %s/%s not found after %d s (timeout): %s"
                % (self.namespace, self.name, seconds, diagnosis.HINTS[diagnosis.STATEFULSET_MISSING]),
                self._result(None), {"problem": diagnosis.STATEFULSET_MISSING})
        prefix = "StatefulSet %s/%s not ready after %d s (timeout), waiting for %s: " % (
            self.namespace, self.name, seconds, progress.waiting_for if progress else "its pods to be listed")
        if progress is None or progress.blocking is None:
            raise WaitFailed(prefix.rstrip(": "), self._result(progress), {"problem": diagnosis.TIMEOUT})
        self._fail(diagnosis.TIMEOUT, progress, progress.blocking, prefix)

    def run(self):
        self.started = self.clock()
        deadline = self.started + self.timeout
        self._start_feed("statefulset", self.clients.apps.list_namespaced_stateful_set, self.namespace,
                         field_selector="metadata.name=%s" % self.name)
        progress = None
        try:
            while True:
                now = self.clock()
                if now >= deadline:
                    self._timed_out(progress)
                # Time-based rules only matter while something is not Ready yet.
                wait = deadline - now
                if progress is not None and not progress.done:
                    wait = min(wait, RECHECK_SECONDS)
                try:
                    item = self.queue.get(timeout=max(wait, 0.001))
                    self._receive(*item)
                    while not self.queue.empty():  # a burst (a list, 100 pods starting) is judged once
                        self._receive(*self.queue.get_nowait())
                except queue_module.Empty:
                    pass
                progress, done = self._evaluate(self.clock())
                if done:
                    return self._finish(progress)
        finally:
            self._stop_feeds()

    def _finish(self, progress):
        result = self._result(progress)
        if self.ordered and result["order_violations"]:
            first = result["order_violations"][0]
            raise WaitFailed(
                "StatefulSet %s/%s is Ready, but ordinal %d became Ready %.1f s after ordinal %d (%s order "
                "expected for podManagementPolicy OrderedReady); check what changed its pods out of order"
                % (self.namespace, self.name, first["ordinal"], first["ready_after_next_by"], first["next_ordinal"],
                   first["expected_order"]), result, {"problem": diagnosis.ORDER})
        return result
