"""Probes and lifecycle hooks: startup, readiness and liveness probes on their timers, run
in the agent's probe pool; postStart and preStop hooks.
"""

import logging
import time

from testbed.node import probes

log = logging.getLogger("testbed.node.worker")


class Probing:
    """The probing steps of a PodWorker (testbed/node/worker.py), which holds the state they share."""

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
