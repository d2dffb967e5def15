"""Running probes and lifecycle hooks the way the kubelet does.

exec runs inside the container's namespaces (nsenter into its main process: mount,
network, UTS) as its user, with the container's environment; tcpSocket and httpGet connect from the
host, which sits on the pod network's bridge, to the pod's IP.
"""

import http.client
import os
import signal
import socket
import subprocess
from dataclasses import dataclass

from testbed.node import identity

MAX_OUTPUT = 10 * 1024
FIRST_PROBE_DELAY = 0.2


@dataclass
class Outcome:
    ok: bool
    output: str


def run_exec(pid, command, timeout, env):
    """Run ``command`` in the container of main process ``pid`` with the container's environment.

    The environment comes from the agent, not /proc/<pid>/environ: programs such as
    redis-server overwrite that memory with their process title.
    """
    # As the container's user, like everything else that runs in it.
    argv = identity.enter_argv(pid, ["-m", "-n", "-u", "-w"], command)
    process = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env or {"PATH": os.defpath},
        start_new_session=True,
    )
    try:
        out, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.communicate()
        return Outcome(False, 'command "%s" timed out' % " ".join(command))
    text = out[:MAX_OUTPUT].decode(errors="replace")
    if process.returncode != 0 and not text:
        text = "command %r exited with %d" % (" ".join(command), process.returncode)
    return Outcome(process.returncode == 0, text)


def resolve_port(port, container):
    if isinstance(port, int) or str(port).isdigit():
        return int(port)
    for item in container.get("ports") or ():
        if item.get("name") == port:
            return int(item["containerPort"])
    raise ValueError("port %r is not a number and names no port of container %s" % (port, container["name"]))


def run_tcp(host, port, timeout):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return Outcome(True, "")
    except OSError as e:
        return Outcome(False, "dial tcp %s:%d: %s" % (host, port, _reason(e)))


def run_http(action, host, port, timeout):
    scheme = (action.get("scheme") or "HTTP").upper()
    path = action.get("path") or "/"
    url = "%s://%s:%d%s" % (scheme.lower(), host, port, path)
    headers = {h["name"]: h["value"] for h in action.get("httpHeaders") or ()}
    headers.setdefault("User-Agent", "kube-probe/1.20")
    if scheme == "HTTPS":
        import ssl

        connection = http.client.HTTPSConnection(host, port, timeout=timeout, context=ssl._create_unverified_context())
    else:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read(MAX_OUTPUT).decode(errors="replace")
    except OSError as e:
        return Outcome(False, 'Get "%s": dial tcp %s:%d: %s' % (url, host, port, _reason(e)))
    finally:
        connection.close()
    if 200 <= response.status < 400:
        return Outcome(True, body)
    return Outcome(False, "HTTP probe failed with statuscode: %d" % response.status)


def _reason(error):
    if isinstance(error, socket.timeout):
        return "i/o timeout"
    if isinstance(error, ConnectionRefusedError):
        return "connect: connection refused"
    return "connect: %s" % (error.strerror or error)


def run_handler(handler, container, pod_ip, pid, timeout, env=None):
    """Run a probe or a lifecycle hook handler (exec, tcpSocket or httpGet) and return its Outcome."""
    if "exec" in handler:
        if pid is None:
            return Outcome(False, "container is not running")
        return run_exec(pid, handler["exec"].get("command") or [], timeout, env)
    if "tcpSocket" in handler:
        action = handler["tcpSocket"]
        return run_tcp(action.get("host") or pod_ip, resolve_port(action["port"], container), timeout)
    if "httpGet" in handler:
        action = handler["httpGet"]
        return run_http(action, action.get("host") or pod_ip, resolve_port(action["port"], container), timeout)
    return Outcome(False, "unsupported handler %s" % sorted(handler))


class ProbeState:
    """Timing and thresholds of one probe of one container run."""

    def __init__(self, kind, probe, started):
        self.kind = kind  # "Readiness", "Liveness" or "Startup"
        self.probe = probe
        self.period = max(1, probe.get("periodSeconds", 10))
        self.timeout = max(1, probe.get("timeoutSeconds", 1))
        self.success_threshold = max(1, probe.get("successThreshold", 1))
        self.failure_threshold = max(1, probe.get("failureThreshold", 3))
        # The first probe runs FIRST_PROBE_DELAY after initialDelaySeconds (the time a
        # program needs to listen: an earlier probe would only fail and wait a period),
        # then one every periodSeconds.
        self.due = started + probe.get("initialDelaySeconds", 0) + FIRST_PROBE_DELAY
        self.running = False
        self.successes = 0
        self.failures = 0

    def record(self, ok):
        """Count a result; returns True when it changes the probe's verdict (threshold reached)."""
        if ok:
            self.successes += 1
            self.failures = 0
            return self.successes == self.success_threshold
        self.failures += 1
        self.successes = 0
        return self.failures == self.failure_threshold
