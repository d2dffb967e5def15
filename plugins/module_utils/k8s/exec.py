# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A command in a pod through the API server's exec: stdin fed, stdout and stderr read within a deadline.

Domains pass secrets on stdin, never on the command line, and turn ``ExecFailed`` into
their own errors (with their own wording).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time
from urllib.parse import quote

try:
    # The WebSocket client that kubernetes.stream.stream() hands an exec to (channels, protocol
    # v4/v5, TLS and proxy from the configuration). Called here directly: stream() needs a
    # typed CoreV1Api method to serialize the request, and since kubernetes 35 building
    # CoreV1Api imports some 285 pydantic model modules (0.6 s of CPU here; bench/module_noop).
    from kubernetes.stream.ws_client import websocket_call
except ImportError:  # the modules say so through requires()
    websocket_call = None

# The pod's exec subresource (PodExecOptions are its query parameters).
EXEC_PATH = "/api/v1/namespaces/%s/pods/%s/exec"


class ExecFailed(Exception):
    """The exec could not be opened (``kind`` ``unreachable``) or did not end in time (``timeout``)."""

    def __init__(self, kind, message):
        super(ExecFailed, self).__init__(message)
        self.kind = kind


class PodExec:
    """Exec sessions to the pods of one namespace, from any thread (each exec is its own connection)."""

    def __init__(self, api_client, namespace, container=None):
        self.configuration = api_client.configuration
        self.namespace = namespace
        self.container = container

    def _headers(self):
        """The configuration's credentials as headers (what the typed API adds: its BearerToken setting,
        refreshed by the configuration when it expires); client certificates go with the TLS options."""
        return dict((setting["key"], setting["value"]) for setting in self.configuration.auth_settings().values()
                    if setting["in"] == "header")

    def open(self, pod, argv, timeout, binary=False):
        """An open exec stream to ``argv`` in ``pod`` (stdin, stdout and stderr; the caller reads and closes it)."""
        query = [("command", list(argv)), ("stdin", "true"), ("stdout", "true"), ("stderr", "true"), ("tty", "false")]
        if self.container:
            query.append(("container", self.container))
        url = self.configuration.host + EXEC_PATH % (quote(self.namespace, safe=""), quote(pod, safe=""))
        try:
            return websocket_call(self.configuration, "GET", url, query_params=query, headers=self._headers(),
                                  _request_timeout=timeout, _preload_content=False, binary=binary)
        except Exception as e:  # noqa: BLE001 - the client raises ApiException or websocket errors alike
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
