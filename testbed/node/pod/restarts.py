"""Step 5 of a pod's life: restarts with back-off (CrashLoopBackOff) and the kills that
lead to them (a failed liveness or startup probe, a failed postStart hook).
"""


class Restarts:
    """The restarts steps of a PodWorker (testbed/node/worker.py), which holds the state they share."""

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
