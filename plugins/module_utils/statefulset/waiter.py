# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The wait itself: follow the StatefulSet and its pods until the rollout is done, hopeless, or late.

The only step of statefulset_wait_ordered that talks to the API server, through the
shared ``k8s.wait.Watcher``. Everything it decides, it decides through the pure functions
of ``rollout``, ``diagnosis`` and ``report``; it reads events, claims and logs (with
``k8s.inspect``) only once it has something to explain.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.stateful.kube.plugins.module_utils.k8s import pods as podinfo
from ansible_collections.stateful.kube.plugins.module_utils.k8s.deadline import Deadline
from ansible_collections.stateful.kube.plugins.module_utils.k8s.inspect import Inspector
from ansible_collections.stateful.kube.plugins.module_utils.k8s.objects import generation_observed, name_of, parse_time
from ansible_collections.stateful.kube.plugins.module_utils.k8s.ordinals import start_of
from ansible_collections.stateful.kube.plugins.module_utils.k8s.selectors import selector_of
from ansible_collections.stateful.kube.plugins.module_utils.k8s.wait import FATAL_STATUS, Watcher
from ansible_collections.stateful.kube.plugins.module_utils.statefulset import diagnosis, report, rollout

# How long an ordinal the controller should create may stay missing before its events are read.
NOT_CREATED_GRACE = 3.0
# While a pod is not Ready, time-based rules (ready_for, unready_timeout, the scheduler's
# grace) are re-checked this often against the state already received: no request is made.
RECHECK_SECONDS = 0.5


class WaitFailed(Exception):
    def __init__(self, message, result, facts=None):
        super(WaitFailed, self).__init__(message)
        self.message = message
        self.result = result
        self.facts = facts


# What the wait can be told, and what it does unless told otherwise (the module's options).
OPTIONS = dict(replicas=None, timeout=300, ordered=True, ready_for=0, fail_fast=True, unready_timeout=None)


class Waiter:
    """Waits for StatefulSet ``namespace/name``; ``run()`` returns the result or raises WaitFailed.

    ``clock`` and ``epoch`` (monotonic and wall-clock time) and ``watcher`` (builds the
    ``k8s.wait.Watcher`` from the deadline) are the seams a test replaces, with the clients.
    """

    def __init__(self, clients, namespace, name, clock=time.monotonic, epoch=time.time, watcher=Watcher, **options):
        self.clients = clients
        self.namespace = namespace
        self.name = name
        unknown = set(options) - set(OPTIONS)
        if unknown:
            raise TypeError("unknown options: %s" % ", ".join(sorted(unknown)))
        self.options = dict(OPTIONS, **options)
        self.clock = clock
        self.epoch = epoch
        self.new_watcher = watcher
        self.deadline = None
        self.watcher = None
        self.progress = None
        self.seen_ready = {}  # ordinal -> when the watch delivered its Ready transition
        self.missing_since = None
        self.checked_not_created = 0.0
        self.started = None

    # -- observe ---------------------------------------------------------------------------

    @property
    def statefulset(self):
        return self.watcher.view("statefulset").get(self.name)

    def _pods(self):
        return list(self.watcher.view("pods").values())

    def _changed(self, key, before, after, now):
        if key == "pods" and after is not None:
            self._note_ready(before, after, now)

    def _error(self, key, error):
        status = getattr(error, "status", None)
        if status in FATAL_STATUS:
            raise WaitFailed(
                "cannot %s %s in namespace %s: %s %s; give the module's credentials list and watch rights on them"
                % ("watch", "statefulsets" if key == "statefulset" else "pods", self.namespace, status,
                   getattr(error, "reason", error)), self._result(None))

    def _note_ready(self, before, after, now):
        """Remember when a pod's Ready transition arrived: finer than the API's whole-second timestamps."""
        same_pod = before is not None and before["metadata"]["uid"] == after["metadata"]["uid"]
        was_ready = same_pod and podinfo.is_ready(before)
        if podinfo.is_ready(after) and not was_ready and self.statefulset is not None:
            for number in rollout.pods_by_ordinal(self.statefulset, [after]):
                self.seen_ready[number] = now

    # -- report ----------------------------------------------------------------------------

    def _found(self):
        if self.statefulset is None:
            return {}
        return rollout.pods_by_ordinal(self.statefulset, self._pods())

    def _initial_uids(self):
        """``{ordinal: uid}`` of the pods the first list returned: a pod with another uid was replaced since."""
        pods = list(self.watcher.initial("pods").values())
        return dict((ordinal, pod["metadata"]["uid"])
                    for ordinal, pod in rollout.pods_by_ordinal(self.statefulset, pods).items())

    def _ordering(self):
        if self.statefulset is None:
            return None
        if rollout.pod_management_policy(self.statefulset) == "Parallel":
            return "not enforced: podManagementPolicy is Parallel, the controller starts pods all at once"
        return "enforced" if self.options["ordered"] else "checked, not enforced (ordered: false)"

    def _violations(self):
        if self.statefulset is None or rollout.pod_management_policy(self.statefulset) == "Parallel":
            return []
        initial = self._initial_uids()
        replaced = set(ordinal for ordinal, pod in self._found().items()
                       if ordinal in initial and pod["metadata"]["uid"] != initial[ordinal])
        return report.order_violations(self.seen_ready, replaced)

    def _result(self, progress):
        now = self.deadline.now()
        target = progress.target if progress else 0
        timings = report.ordinal_timings(self._found(), target, self.started, self.seen_ready,
                                         start=start_of(self.statefulset))
        return report.result(self.statefulset, progress, timings, self.started, now, self._violations(),
                             self._ordering())

    # -- diagnose (reads events, claims and logs only when there is something to explain) ---

    def _diagnose(self, problem, progress, ordinal):
        now = self.deadline.now()
        inspector = Inspector(self.clients, self.namespace)
        target = progress.target if progress else 0
        pod = self._found().get(ordinal)
        if pod is None:
            return diagnosis.diagnose(problem, self.name, ordinal, target, None, self.started, now,
                                      events=inspector.events("StatefulSet", self.name),
                                      start=start_of(self.statefulset))
        blocked = podinfo.blocked_container(pod)
        container = blocked["container"] if blocked else podinfo.unready_container(pod)
        logs = inspector.log_tail(pod, container, previous=bool(blocked and blocked["restarts"]))
        claims = inspector.claims(pod) if podinfo.unschedulable(pod) else ()
        return diagnosis.diagnose(problem, self.name, ordinal, target, pod, self.started, now,
                                  events=inspector.events("Pod", name_of(pod)), log_lines=logs, claims=claims,
                                  start=start_of(self.statefulset))

    def _fail(self, problem, progress, ordinal, prefix=""):
        facts = self._diagnose(problem, progress, ordinal)
        raise WaitFailed(prefix + facts["message"], self._result(progress), facts)

    # -- classify, decide ------------------------------------------------------------------

    def _check_hopeless(self, progress, now):
        found = self._found()
        for ordinal, state in progress.states.items():
            if state == rollout.NOT_READY:
                problem = diagnosis.hopeless(found.get(ordinal), now, self.options["unready_timeout"])
                if problem:
                    self._fail(problem, progress, ordinal)
        if self._creatable_missing(progress) is None:
            self.missing_since = None
            return
        self.missing_since = self.missing_since or now
        if now - self.missing_since >= NOT_CREATED_GRACE and now - self.checked_not_created >= NOT_CREATED_GRACE:
            self.checked_not_created = now
            events = [e for e in Inspector(self.clients, self.namespace).events("StatefulSet", self.name)
                      if e.get("type") == "Warning" and (parse_time(e.get("lastTimestamp")) or now)
                      >= self.started - 1]
            if events:
                ordinal = self._creatable_missing(progress)
                facts = diagnosis.diagnose(diagnosis.NOT_CREATED, self.name, ordinal, progress.target, None,
                                           self.started, now, events=events, start=start_of(self.statefulset))
                raise WaitFailed(facts["message"], self._result(progress), facts)

    def _creatable_missing(self, progress):
        """The lowest missing ordinal the controller should be creating now, or None."""
        parallel = rollout.pod_management_policy(self.statefulset) == "Parallel"
        for ordinal, state in progress.states.items():
            if state == rollout.MISSING:
                return ordinal
            if not parallel and state in (rollout.NOT_READY, rollout.TERMINATING):
                return None
        return None

    def _evaluate(self, now):
        if self.statefulset is None or not self.watcher.synced("pods"):
            return None, None
        wanted = self.options["replicas"]
        progress = rollout.classify(self.statefulset, self._pods(), wanted, self.options["ready_for"], now,
                                    self.seen_ready)
        if progress.done:
            return progress, True
        desired = rollout.desired_replicas(self.statefulset)
        if self.options["fail_fast"] and wanted is not None and wanted > desired and generation_observed(
                self.statefulset):
            raise WaitFailed("StatefulSet %s/%s has spec.replicas %d: waiting for %s replicas cannot succeed; "
                             "scale it first or wait for fewer" % (self.namespace, self.name, desired, wanted),
                             self._result(progress))
        if self.options["fail_fast"]:
            self._check_hopeless(progress, now)
        return progress, False

    def _judge(self, now):
        if self.statefulset is not None and not self.watcher.following("pods"):
            self.watcher.follow("pods", self.clients.core.list_namespaced_pod, self.namespace,
                                label_selector=selector_of(self.statefulset))
        progress, done = self._evaluate(now)
        self.progress = progress
        return self._finish(progress) if done else None

    def _recheck(self):
        # Time-based rules only matter while something is not Ready yet.
        return RECHECK_SECONDS if self.progress is not None and not self.progress.done else None

    def _timed_out(self):
        progress = self.progress
        seconds = int(round(self.deadline.elapsed()))
        if self.statefulset is None:
            if self.watcher.last_error and not self.watcher.synced("statefulset"):
                raise WaitFailed("StatefulSet %s/%s: no answer from the API server in %d s (timeout); last error: %s"
                                 % (self.namespace, self.name, seconds, self.watcher.last_error), self._result(None),
                                 {"problem": diagnosis.TIMEOUT, "error": self.watcher.last_error})
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
        self.deadline = Deadline(self.options["timeout"], self.clock, self.epoch)
        self.started = self.deadline.now()
        self.watcher = self.new_watcher(self.deadline)
        self.watcher.follow("statefulset", self.clients.apps.list_namespaced_stateful_set, self.namespace,
                            field_selector="metadata.name=%s" % self.name)
        return self.watcher.run(self._judge, self._timed_out, on_change=self._changed, on_error=self._error,
                                recheck=self._recheck)

    def _finish(self, progress):
        result = self._result(progress)
        if self.options["ordered"] and result["order_violations"]:
            first = result["order_violations"][0]
            raise WaitFailed(
                "StatefulSet %s/%s is Ready, but ordinal %d became Ready %.1f s after ordinal %d (%s order "
                "expected for podManagementPolicy OrderedReady); check what changed its pods out of order"
                % (self.namespace, self.name, first["ordinal"], first["ready_after_next_by"], first["next_ordinal"],
                   first["expected_order"]), result, {"problem": diagnosis.ORDER})
        return result
