"""One container of a pod: its process (through the launcher), its state as the API reports it.

The process is started in its own session (its own process group), with stdout and
stderr appended to ``containers/<name>/<run>.log``; a waiter thread reports its exit.
"""

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time

from testbed import config
from testbed.node import images, state
from testbed.node.kube import timestamp

log = logging.getLogger(__name__)

# Restart back-off: no wait before the first restart, then BASE, 2*BASE, ... up to MAX
# (the kubelet uses 10 s; the test bed 5 s so that fixed pods come back sooner). A run
# that lasted RESET seconds forgets earlier crashes, as the kubelet does after 10 min.
BACKOFF_BASE = 5.0
BACKOFF_MAX = 300.0
BACKOFF_RESET = 600.0


class Container:
    def __init__(self, spec, init):
        self.spec = spec
        self.name = spec["name"]
        self.init = init
        self.image_ref = spec.get("image", "")
        self.image = images.lookup(self.image_ref)
        self.restart_count = 0
        self.crashes = 0  # consecutive failed runs, for the back-off
        self.run = -1
        self.process = None
        self.pid = None
        self.started_at = None
        self.state = {"waiting": {"reason": "ContainerCreating"}}
        self.last_state = {}
        self.ready = False
        self.started = False
        self.probes = {}
        self.exit_code = None  # of the last finished run
        self.killing = False
        self.env = {}

    @property
    def running(self):
        return self.process is not None

    @property
    def container_id(self):
        return "testbed://%d" % self.pid if self.pid else None

    def wait(self, reason, message=None):
        self.state = {"waiting": {"reason": reason, **({"message": message} if message else {})}}

    def backoff_delay(self):
        """Seconds to wait before the next restart (0 for the first one)."""
        if self.crashes <= 1:
            return 0.0
        return min(BACKOFF_MAX, BACKOFF_BASE * 2 ** (self.crashes - 2))

    def launch(self, record, argv, env, mounts, hostname, identity, on_exit):
        """Start a run: `ip netns exec` -> launcher -> program, all one PID, as ``identity`` (its user)."""
        self.run = self.restart_count
        folder = state.container_dir(record, self.name)
        folder.mkdir(parents=True, exist_ok=True)
        spec_path = folder / ("launch-%d.json" % self.run)
        launch = {
            "argv": argv,
            "env": env,
            "mounts": mounts,
            "hostname": hostname,
            "workingDir": self.spec.get("workingDir") or self.image.workdir,
            "user": identity.as_launch(),
            "programs": [str(p) for p in images.catalog_paths()],
        }
        # The environment holds Secrets' values, and the containers see the host's files: root's eyes only.
        with open(spec_path, "w", opener=lambda path, flags: os.open(path, flags, 0o600)) as handle:
            json.dump(launch, handle)
        with open(state.log_path(record, self.name, self.run), "ab") as output:
            process = subprocess.Popen(
                ["ip", "netns", "exec", record.netns, sys.executable, "-m", "testbed.node.launcher", str(spec_path)],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={"PATH": os.environ.get("PATH", images.DEFAULT_PATH), "PYTHONPATH": str(config.REPO_ROOT)},
                cwd="/",
            )
        self.process = process
        self.pid = process.pid
        self.env = env
        self.started_at = time.time()
        self.killing = False
        state.write_container_pid(record, self.name, process.pid)
        self.state = {"running": {"startedAt": timestamp(self.started_at)}}
        self.started = False
        self.ready = False
        run = self.run
        threading.Thread(
            target=lambda: on_exit(self.name, run, _exit_code(process.wait())),
            name="wait-%d" % process.pid,
            daemon=True,
        ).start()
        return process.pid

    def exited(self, code):
        """Record the end of the current run."""
        finished = time.time()
        reason = "Completed" if code == 0 else "Error"
        self.state = {"terminated": {
            "exitCode": code,
            "reason": reason,
            "startedAt": timestamp(self.started_at or finished),
            "finishedAt": timestamp(finished),
            "containerID": self.container_id,
        }}
        # Every restart counts for the back-off (an exit 0 under restartPolicy Always too).
        long_run = finished - (self.started_at or finished) > BACKOFF_RESET
        self.crashes = 1 if long_run else self.crashes + 1
        self.exit_code = code
        self.process = None
        self.ready = False
        self.started = False
        self.probes = {}

    def signal(self, sig):
        """Signal the container's process group (its main process and everything it started)."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            pass

    def terminate(self):
        self.killing = True
        self.signal(signal.SIGTERM)

    def kill(self):
        self.signal(signal.SIGKILL)

    def status(self):
        # An init container that completed counts as ready, as the kubelet reports it.
        completed = self.init and self.exit_code == 0 and "terminated" in self.state
        status = {
            "name": self.name,
            "state": self.state,
            "lastState": self.last_state,
            "ready": self.ready or completed,
            "restartCount": self.restart_count,
            "image": self.image_ref,
            "imageID": images.image_id(self.image_ref) if self.image else "",
        }
        if self.pid:
            status["containerID"] = self.container_id
        if not self.init:
            status["started"] = self.started and self.running
        return status


def _exit_code(returncode):
    # A runtime reports death by signal N as exit code 128+N.
    return 128 - returncode if returncode < 0 else returncode
