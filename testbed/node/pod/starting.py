"""Step 3 of a pod's life: init containers one after another, then every container; what
happens when one exits (the next init container, or a restart by restartPolicy).
"""

import logging
import time

from testbed.node import environment, identity, images, state, volumes
from testbed.node.pod.mounts import RETRY_MAX

log = logging.getLogger("testbed.node.worker")


class Starting:
    """The starting steps of a PodWorker (testbed/node/worker.py), which holds the state they share."""

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
            user = identity.container_identity(self.pod, container.spec)
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
        pid = container.launch(self.record, argv, env, mounts, self.hostname, user, self._exited)
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
