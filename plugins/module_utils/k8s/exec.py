# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A command in a pod through the API server's exec: stdin fed, stdout and stderr read within a deadline.

Domains pass secrets on stdin, never on the command line, and turn ``ExecFailed`` into
their own errors (with their own wording).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time

try:
    from kubernetes import client as k8s_client
    from kubernetes.stream import stream
except ImportError:  # the modules say so through requires()
    k8s_client = None
    stream = None


class ExecFailed(Exception):
    """The exec could not be opened (``kind`` ``unreachable``) or did not end in time (``timeout``)."""

    def __init__(self, kind, message):
        super(ExecFailed, self).__init__(message)
        self.kind = kind


class PodExec:
    """Exec sessions to the pods of one namespace, from any thread."""

    def __init__(self, api_client, namespace, container=None):
        self.configuration = api_client.configuration
        self.namespace = namespace
        self.container = container
        self._local = threading.local()

    def _core(self):
        """A CoreV1Api of this thread's own: ``stream()`` swaps its ApiClient's request method while it runs,
        so threads sharing one client would send each other's exec as a plain request ("Upgrade request
        required")."""
        if getattr(self._local, "core", None) is None:
            self._local.core = k8s_client.CoreV1Api(k8s_client.ApiClient(configuration=self.configuration))
        return self._local.core

    def open(self, pod, argv, timeout, binary=False):
        """An open exec stream to ``argv`` in ``pod`` (stdin, stdout and stderr; the caller reads and closes it)."""
        kwargs = dict(command=argv, stdin=True, stdout=True, stderr=True, tty=False,
                      _preload_content=False, _request_timeout=timeout, binary=binary)
        if self.container:
            kwargs["container"] = self.container
        try:
            return stream(self._core().connect_get_namespaced_pod_exec, pod, self.namespace, **kwargs)
        except Exception as e:  # noqa: BLE001 - the stream raises ApiException or websocket errors alike
            raise ExecFailed("unreachable", "cannot exec in pod %s/%s: %s" % (self.namespace, pod, e)) from e

    def run(self, pod, argv, stdin, timeout, who=None):
        """``(stdout, stderr)`` of ``argv`` in ``pod``, ``stdin`` fed first; ExecFailed when it outlives ``timeout``.

        ``who`` names what did not answer in that failure (default: the exec in the pod).
        """
        ws = self.open(pod, argv, timeout)
        out, err = [], []
        deadline = time.monotonic() + timeout
        try:
            if stdin:
                ws.write_stdin(stdin)
            while ws.is_open():
                if time.monotonic() > deadline:
                    raise ExecFailed("timeout", "%s gave no complete answer within %.0f s"
                                     % (who or "the exec in pod %s/%s" % (self.namespace, pod), timeout))
                pump(ws, out.append, err.append, min(1.0, max(0.01, deadline - time.monotonic())))
        finally:
            ws.close()
        return "".join(out), "".join(err)


def pump(ws, on_stdout, on_stderr, timeout=None):
    """Hand what ``ws`` has on stdout and stderr to the callbacks (after waiting up to ``timeout`` for it)."""
    if timeout is not None:
        ws.update(timeout=timeout)
    if ws.peek_stdout():
        on_stdout(ws.read_stdout())
    if ws.peek_stderr():
        on_stderr(ws.read_stderr())
