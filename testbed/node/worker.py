"""One thread per pod: sandbox, volumes, init containers, containers, probes, termination.

The thread owns all of its pod's state. Everything else talks to it through its queue
(API updates, process exits, probe results) and it keeps its own timers (probes,
restart back-off, grace periods), so it never polls.
"""

import heapq
import itertools
import json
import logging
import queue
import shutil
import threading
import time
from pathlib import Path

from kubernetes.client.rest import ApiException

from testbed import network
from testbed.node import environment, images, probes, state, status, volumes
from testbed.node.containers import Container
from testbed.node.events import NORMAL, WARNING
from testbed.node.kube import STRATEGIC_MERGE, now, raw

log = logging.getLogger(__name__)

DEFAULT_GRACE = 30
SHUTDOWN_GRACE = 5  # the agent stopping: pods get at most this long
GONE_GRACE = 2  # the pod vanished from the API (force-deleted): same
RETRY_MAX = 8.0
FINAL_DELETE_SECONDS = 30  # cap of the retry delay for volumes and container configuration


def _running(pid):
    """True while ``pid`` runs; a zombie (killed, waiting for init to reap it) does not."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class PodWorker:
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

    # -- sandbox and volumes ---------------------------------------------------------

    def _create_sandbox(self):
        address = self.node.pool.allocate()
        netns, veth = network.pod_link_names(self.uid)
        try:
            network.create_pod_namespace(netns, veth, address)
        except Exception:
            self.node.pool.release(address)
            raise
        self.record = state.PodRecord(self.namespace, self.name, self.uid, self.node.name, netns, address)
        state.write_pod(self.record)
        self.agent.dns.add_pod(self.uid, netns, self.namespace, self.hostname, self.pod["spec"].get("subdomain"),
                               address, self.pod["spec"].get("hostAliases"))
        log.info("%s: sandbox %s with %s on %s (%.0f ms after the pod was seen)", self.key, netns, address,
                 self.node.name, (time.monotonic() - self.seen_at) * 1000)

    def _pod_with_addresses(self):
        pod = dict(self.pod)
        pod["status"] = dict(self.pod.get("status") or {}, podIP=self.record.ip, hostIP=self.node.address,
                             podIPs=[{"ip": self.record.ip}])
        return pod

    def _mount_volumes(self):
        if self.terminating:
            return
        if self.builder is None:
            self.builder = volumes.VolumeBuilder(self.kube, self._pod_with_addresses(), self.record.directory)
        try:
            self.volumes = self.builder.build()
        except Exception as e:  # noqa: BLE001 - the API server unreachable is a retryable mount failure too
            if not isinstance(e, volumes.MountError):
                e = volumes.MountError(str(e), retry=True, volume="?")
            self._warn("FailedMount", 'MountVolume.SetUp failed for volume "%s" : %s' % (e.volume, e))
            if e.retry:
                self._after(self.retry_delay, self._mount_volumes)
                self.retry_delay = min(RETRY_MAX, self.retry_delay * 2)
            return
        self.retry_delay = 0.5
        self._advance()
        self._after(volumes.REFRESH_SECONDS, self._refresh_volumes)

    def _refresh_volumes(self):
        if self.terminating:
            return
        self.builder.refresh()
        self._after(volumes.REFRESH_SECONDS, self._refresh_volumes)

    # -- containers ----------------------------------------------------------------

    def _advance(self):
        """Start what should run next: the next init container, or every container."""
        if self.terminating or self.init_failed:
            return
        if not self.initialized:
            container = self.init_containers[self.init_index]
            if not container.running:
                self._start(container)
            return
        for container in self.containers:
            if container.run < 0 and not container.running:
                self._start(container)

    def _start(self, container):
        if self.terminating or container.running:
            return
        if container.image is None:
            self._image_missing(container)
            return
        try:
            env = environment.container_environment(self.kube, self._pod_with_addresses(), container.spec,
                                                    container.image, self.hostname)
            argv = [environment.expand(a, env) for a in
                    images.argv(container.image, container.spec.get("command"), container.spec.get("args"))]
            mounts = volumes.container_mounts(container.spec, self.volumes, container.image,
                                              state.container_dir(self.record, container.name), env)
        except Exception as e:  # noqa: BLE001 - a configuration the agent cannot build is retried, and says why
            reason = "CreateContainerConfigError" if isinstance(e, environment.ConfigError) else "CreateContainerError"
            container.wait(reason, str(e))
            self._warn("Failed", "Error: %s" % e, container.name)
            self._after(self.retry_delay, self._start, container)
            self.retry_delay = min(RETRY_MAX, self.retry_delay * 2)
            return
        if not argv:
            container.wait("CreateContainerError", "no command specified")
            self._warn("Failed", "Error: no command specified", container.name)
            return
        if container.run >= 0:
            container.restart_count += 1
        pid = container.launch(self.record, argv, env, mounts, self.hostname, self._exited)
        log.info("%s: container %s run %d started, pid %d (%.0f ms after the pod was seen): %s", self.key,
                 container.name, container.run, pid, (time.monotonic() - self.seen_at) * 1000, " ".join(argv)[:200])
        self._normal("Pulled", 'Container image "%s" already present on machine' % container.image_ref, container.name)
        self._normal("Created", "Created container %s" % container.name, container.name)
        self._normal("Started", "Started container %s" % container.name, container.name)
        self._start_probes(container)
        post_start = (container.spec.get("lifecycle") or {}).get("postStart")
        if post_start:
            self.agent.probe_pool.submit(self._post_start, container, container.run, post_start)

    def _image_missing(self, container):
        ref = container.image_ref
        message = ('rpc error: code = NotFound desc = failed to pull and unpack image "%s": the test bed runs only '
                   "the images of its catalog (testbed/node/images.py): %s"
                   % (ref, ", ".join(sorted(images.CATALOG))))
        if "waiting" not in container.state or container.state["waiting"].get("reason") == "ContainerCreating":
            self._normal("Pulling", 'Pulling image "%s"' % ref, container.name)
            self._warn("Failed", 'Failed to pull image "%s": %s' % (ref, message), container.name)
            self._warn("Failed", "Error: ErrImagePull", container.name)
            container.wait("ErrImagePull", message)
            self._after(1.0, self._image_backoff, container, 10.0)

    def _image_backoff(self, container, delay):
        if self.terminating:
            return
        container.wait("ImagePullBackOff", 'Back-off pulling image "%s"' % container.image_ref)
        self._normal("BackOff", 'Back-off pulling image "%s"' % container.image_ref, container.name)
        self._warn("Failed", "Error: ImagePullBackOff", container.name)
        self._after(delay, self._image_backoff, container, min(300.0, delay * 2))

    def _exited(self, name, run, code):
        """Called by a container's waiter thread."""
        self.queue.put(("exit", name, run, code))

    def _on_exit(self, name, run, code):
        container = self.by_name[name]
        if container.run != run:
            return
        container.exited(code)
        log.info("%s: container %s run %d exited with %d", self.key, name, run, code)
        if self.terminating:
            return
        if container.init:
            if code == 0:
                self.init_index += 1
                if self.init_index == len(self.init_containers):
                    self.initialized = True
                self._advance()
            elif self.restart_policy == "Never":
                self.init_failed = True
            else:
                self._restart_later(container)
            return
        if self.restart_policy == "Always" or (self.restart_policy == "OnFailure" and code != 0):
            self._restart_later(container)

    def _restart_later(self, container):
        delay = container.backoff_delay()
        container.last_state = container.state
        if delay <= 0:
            self._start(container)
            return
        container.wait("CrashLoopBackOff", "back-off %ds restarting failed container=%s pod=%s_%s(%s)"
                       % (delay, container.name, self.name, self.namespace, self.uid))
        self._warn("BackOff", "Back-off restarting failed container", container.name)
        self._after(delay, self._restart, container, container.run)

    def _restart(self, container, run):
        if container.run == run and not container.running and not self.terminating:
            self._start(container)

    # -- probes --------------------------------------------------------------------

    def _start_probes(self, container):
        started = time.monotonic()
        kinds = (("Startup", "startupProbe"), ("Readiness", "readinessProbe"), ("Liveness", "livenessProbe"))
        for kind, field in kinds:
            probe = container.spec.get(field)
            if probe:
                probe_state = probes.ProbeState(kind, probe, started)
                container.probes[kind] = probe_state
                self._after(probe_state.due - started, self._fire_probe, container, container.run, kind)
        container.started = "Startup" not in container.probes
        container.ready = container.started and "Readiness" not in container.probes

    def _fire_probe(self, container, run, kind):
        probe_state = container.probes.get(kind)
        if container.run != run or not container.running or self.terminating or probe_state is None:
            return
        if kind != "Startup" and not container.started:
            self._after(probe_state.period, self._fire_probe, container, run, kind)
            return
        self.agent.probe_pool.submit(self._probe_task, container, run, kind, probe_state)

    def _probe_task(self, container, run, kind, probe_state):
        try:
            outcome = probes.run_handler(probe_state.probe, container.spec, self.record.ip, container.pid,
                                         probe_state.timeout, container.env)
        except Exception as e:  # noqa: BLE001 - a probe that cannot run has failed
            outcome = probes.Outcome(False, str(e))
        self.queue.put(("probe", container.name, run, kind, outcome))

    def _on_probe(self, name, run, kind, outcome):
        container = self.by_name[name]
        probe_state = container.probes.get(kind)
        if container.run != run or not container.running or probe_state is None or self.terminating:
            return
        verdict = probe_state.record(outcome.ok)
        if not outcome.ok:
            self._warn("Unhealthy", "%s probe failed: %s" % (kind, outcome.output.strip()), name)
        if kind == "Startup":
            if outcome.ok and verdict:
                container.started = True
                container.ready = "Readiness" not in container.probes
                del container.probes["Startup"]
                return
            if verdict:
                self._kill_for_restart(container, "failed startup probe")
                return
        elif kind == "Readiness":
            if verdict:
                container.ready = outcome.ok
                if outcome.ok:
                    log.info("%s: container %s ready (%.0f ms after the pod was seen)", self.key, name,
                             (time.monotonic() - self.seen_at) * 1000)
        elif not outcome.ok and verdict:
            self._kill_for_restart(container, "failed liveness probe")
            return
        self._after(probe_state.period, self._fire_probe, container, run, kind)

    def _kill_for_restart(self, container, why):
        message = "Container %s %s, will be restarted" % (container.name, why)
        if why == "FailedPostStartHook":
            message = "FailedPostStartHook"
        self._normal("Killing", message, container.name)
        container.probes = {}
        container.ready = False
        container.terminate()
        self._after(self._grace(), self._kill_run, container, container.run)

    def _kill_run(self, container, run):
        if container.run == run and container.running:
            container.kill()

    # -- termination ---------------------------------------------------------------

    def _grace(self):
        meta, spec = self.pod["metadata"], self.pod["spec"]
        grace = meta.get("deletionGracePeriodSeconds")
        if grace is None:
            grace = spec.get("terminationGracePeriodSeconds", DEFAULT_GRACE)
        return max(0, grace)

    def _begin_termination(self, why):
        self.terminating = why
        grace = self._grace()
        if why == "shutdown":
            grace = min(grace, SHUTDOWN_GRACE)
        elif why == "gone":
            grace = min(grace, GONE_GRACE)
        log.info("%s: stopping (%s), grace %ss", self.key, why, grace)
        for container in self.by_name.values():
            container.ready = False
            if not container.running:
                continue
            self._normal("Killing", "Stopping container %s" % container.name, container.name)
            pre_stop = (container.spec.get("lifecycle") or {}).get("preStop")
            if pre_stop and grace > 0 and why != "shutdown":
                self.agent.probe_pool.submit(self._pre_stop, container, container.run, pre_stop, grace)
            else:
                container.terminate()
        if grace <= 0:
            self._stop_all_now()
        else:
            self._after(grace, self._stop_all_now)

    def _post_start(self, container, run, handler):
        outcome = probes.run_handler(handler, container.spec, self.record.ip, container.pid, self._grace() or 30,
                                     container.env)
        if not outcome.ok:
            self.queue.put(("poststart-failed", container.name, run, outcome.output.strip()))

    def _pre_stop(self, container, run, handler, grace):
        outcome = probes.run_handler(handler, container.spec, self.record.ip, container.pid, grace, container.env)
        if not outcome.ok:
            self._warn("FailedPreStopHook", "PreStopHook failed: %s" % outcome.output.strip(), container.name)
        self.queue.put(("prestop-done", container.name, run))

    def _stop_all_now(self):
        for container in self.by_name.values():
            container.kill()

    def _finish(self):
        self.done = True
        if self.terminating != "delete":
            return
        # Like the kubelet: the sandbox is gone before the pod object is.
        self._guarded(self._remove_sandbox)
        self._guarded(self._publish)
        deadline = time.monotonic() + FINAL_DELETE_SECONDS
        while True:
            try:
                raw(self.kube.core.delete_namespaced_pod, self.name, self.namespace,
                    body={"gracePeriodSeconds": 0, "preconditions": {"uid": self.uid}})
                log.info("%s: deleted", self.key)
                return
            except ApiException as e:
                if e.status in (404, 409):
                    return
                error = e.reason
            except Exception as e:  # noqa: BLE001 - the API server may be restarting: try again
                error = e
            if time.monotonic() > deadline:
                log.error("%s: the final delete failed: %s", self.key, error)
                return
            time.sleep(1)

    def _remove_sandbox(self):
        """Kill whatever still runs in the pod's network namespace, wait until it is gone, remove the namespace."""
        netns = self.record.netns
        if netns not in network.list_namespaces():
            return
        pids = network.kill_namespace_processes(netns)
        deadline = time.monotonic() + 2
        while any(_running(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.01)
        network.delete_pod_namespace(netns, network.pod_link_names(self.uid)[1])

    def _teardown(self):
        """Whatever still runs in the pod's namespace goes, then the namespace, its address and its files."""
        try:
            if self.record is not None:
                self._remove_sandbox()
                self.node.pool.release(self.record.ip)
                self.agent.dns.remove_pod(self.uid)
                shutil.rmtree(Path("/etc/netns") / self.record.netns, ignore_errors=True)
                shutil.rmtree(self.record.directory, ignore_errors=True)
        except Exception:  # noqa: BLE001 - teardown goes as far as it can
            log.exception("%s: teardown failed", self.key)
        finally:
            self.events.forget(self.uid)
            self.agent.worker_done(self)

    # -- status and events ---------------------------------------------------------

    def _publish(self):
        if self.terminating in ("gone", "shutdown") or self.record is None:
            return
        pod_phase = status.phase(self.initialized, self.init_failed, self.containers, self.restart_policy)
        pending = [c.name for c in self.init_containers[self.init_index:]]
        stamp = now()
        for kind, (value, reason, message) in status.condition_values(self.initialized, pending, self.containers,
                                                                       pod_phase).items():
            old = self.conditions.get(kind)
            if old is None or old["status"] != value:
                self.conditions[kind] = {"type": kind, "status": value, "lastProbeTime": None,
                                         "lastTransitionTime": stamp}
            # None (not absence) removes a field in a strategic merge patch.
            self.conditions[kind].update(reason=reason, message=message)
        body = {
            "phase": pod_phase,
            "conditions": [self.conditions[k] for k in ("Initialized", "Ready", "ContainersReady")],
            "hostIP": self.node.address,
            "podIP": self.record.ip,
            "podIPs": [{"ip": self.record.ip}],
            "startTime": self.start_time,
            "containerStatuses": [c.status() for c in self.containers],
        }
        if self.init_containers:
            body["initContainerStatuses"] = [c.status() for c in self.init_containers]
        text = json.dumps(body, sort_keys=True)
        if text == self.last_status:
            return
        try:
            raw(self.kube.core.patch_namespaced_pod_status, self.name, self.namespace, {"status": body},
                _content_type=STRATEGIC_MERGE)
            self.last_status = text
        except ApiException as e:
            if e.status != 404:
                log.warning("%s: status update failed: %s", self.key, e.reason)

    def _normal(self, reason, message, container=None):
        self.events.record(self.pod, self.node.name, NORMAL, reason, message, container)

    def _warn(self, reason, message, container=None):
        self.events.record(self.pod, self.node.name, WARNING, reason, message, container)
