"""One thread per pod: it owns the pod's state and runs the steps of its life.

The steps (testbed/README.md, "A pod's life") are one module each under
testbed/node/pod/: sandbox, mounts, starting, reporting, restarts, probing, termination.
Everything else talks to the worker through its queue (API updates, process exits,
probe results) and it keeps its own timers (probes, restart back-off, grace periods),
so it never polls.
"""

import heapq
import itertools
import logging
import queue
import threading
import time

from testbed.node.containers import Container
from testbed.node.kube import now
from testbed.node.pod.mounts import Mounts
from testbed.node.pod.probing import Probing
from testbed.node.pod.reporting import Reporting
from testbed.node.pod.restarts import Restarts
from testbed.node.pod.sandbox import Sandbox
from testbed.node.pod.starting import Starting
from testbed.node.pod.termination import Termination

log = logging.getLogger(__name__)


class PodWorker(Sandbox, Mounts, Starting, Reporting, Restarts, Probing, Termination):
    def __init__(self, agent, node, pod):
        self.agent = agent
        self.kube = agent.kube
        self.events = agent.events
        self.node = node
        self.pod = pod
        meta = pod["metadata"]
        self.uid = meta["uid"]
        self.namespace = meta["namespace"]
        self.name = meta["name"]
        self.key = "%s/%s" % (self.namespace, self.name)
        spec = pod["spec"]
        self.restart_policy = spec.get("restartPolicy", "Always")
        self.hostname = (spec.get("hostname") or self.name)[:63]
        self.init_containers = [Container(c, True) for c in spec.get("initContainers") or ()]
        self.containers = [Container(c, False) for c in spec["containers"]]
        self.by_name = {c.name: c for c in self.init_containers + self.containers}
        self.queue = queue.Queue()
        self.timers = []
        self.sequence = itertools.count()
        self.record = None
        self.volumes = None
        self.builder = None
        self.initialized = not self.init_containers
        self.init_index = 0
        self.init_failed = False
        self.terminating = None  # why: "delete", "gone" or "shutdown"
        self.done = False
        self.conditions = {}
        self.last_status = None
        self.start_time = now()
        self.seen_at = time.monotonic()
        self.retry_delay = 0.5
        self.thread = threading.Thread(target=self._run, name="pod-%s" % self.name, daemon=True)

    # -- interface for the agent (any thread) --------------------------------------

    def start(self):
        self.thread.start()

    def update(self, pod):
        self.queue.put(("update", pod))

    def gone(self):
        self.queue.put(("gone",))

    def shutdown(self):
        self.queue.put(("shutdown",))

    # -- the loop ------------------------------------------------------------------

    def _run(self):
        try:
            self._create_sandbox()
            self._after(0, self._mount_volumes)
            if self.pod["metadata"].get("deletionTimestamp"):
                self._begin_termination("delete")
            self._loop()
        except Exception:  # noqa: BLE001 - a broken pod must not take the agent down; it is logged
            log.exception("%s: pod worker failed", self.key)
            self._stop_all_now()
        finally:
            self._teardown()

    def _loop(self):
        while not self.done:
            timeout = None
            if self.timers:
                timeout = max(0.0, self.timers[0][0] - time.monotonic())
            try:
                message = self.queue.get(timeout=timeout)
            except queue.Empty:
                message = None
            while message is not None:
                self._guarded(self._handle, message)
                try:
                    message = self.queue.get_nowait()
                except queue.Empty:
                    message = None
            self._run_timers()
            if self.terminating and not any(c.running for c in self.by_name.values()):
                self._finish()
                return
            self._guarded(self._publish)

    def _after(self, delay, function, *args):
        heapq.heappush(self.timers, (time.monotonic() + delay, next(self.sequence), function, args))

    def _run_timers(self):
        while self.timers and self.timers[0][0] <= time.monotonic():
            _, _, function, args = heapq.heappop(self.timers)
            self._guarded(function, *args)

    def _guarded(self, function, *args):
        """One failing step (an API call while the API server restarts) must not end the pod's worker."""
        try:
            function(*args)
        except Exception:  # noqa: BLE001 - logged; the pod carries on (retries are scheduled by each step)
            log.exception("%s: %s failed", self.key, getattr(function, "__name__", function))

    def _handle(self, message):
        kind = message[0]
        if kind == "update":
            self.pod = message[1]
            if self.pod["metadata"].get("deletionTimestamp"):
                if not self.terminating:
                    self._begin_termination("delete")
                else:
                    # A second deletion may shorten the grace period (kubectl delete --grace-period=0).
                    self._after(self._grace(), self._stop_all_now)
        elif kind == "gone":
            if self.terminating != "gone":
                self._begin_termination("gone")
        elif kind == "shutdown":
            self._begin_termination("shutdown")
        elif kind == "exit":
            self._on_exit(*message[1:])
        elif kind == "probe":
            self._on_probe(*message[1:])
        elif kind == "poststart-failed":
            container = self.by_name[message[1]]
            if container.run == message[2] and container.running and not self.terminating:
                self._warn("FailedPostStartHook", "Exec lifecycle hook for Container %s in Pod %s failed: %s"
                           % (container.name, self.name, message[3]), container.name)
                self._kill_for_restart(container, "FailedPostStartHook")
        elif kind == "prestop-done":
            container = self.by_name[message[1]]
            if container.run == message[2]:
                container.terminate()
