"""The kubelet's HTTPS API on a node address: what the API server calls for logs, exec and port-forward.

    GET  /healthz                                   "ok" (the only path open without a client cert)
    GET  /pods                                      PodList of this node's pods, from the on-disk state
    GET  /containerLogs/{namespace}/{pod}/{container}?follow=&previous=&tailLines=&limitBytes=&sinceSeconds=
    GET|POST /exec/{namespace}/{pod}/{container}?command=...&input=&output=&error=&tty=
                                                    (or stdin=, stdout=, stderr=)
                                                    WebSocket, channel protocol v5..v1, or SPDY/3.1
                                                    (remotecommand.py)
    GET|POST /portForward/{namespace}/{pod}[/{uid}] SPDY/3.1, portforward.k8s.io (portforward.py)

The API server proxies `kubectl logs`, `kubectl exec`, `kubectl port-forward` and the Python
client's `stream()` here, authenticating with its kubelet client certificate (signed by the test bed's CA).

Logs are the node agent's raw per-run files (state.py): they carry no per-line times, so
``timestamps=true`` is refused with a 400 rather than answered with invented times, and
``sinceSeconds``/``sinceTime`` can only drop a whole run whose file was last written
before that time.

    python -m testbed.node.kubelet_api --address 10.244.1.1     # one node's API, standalone
"""

import argparse
import datetime
import json
import logging
import os
import select
import socket
import ssl
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from testbed import config
from testbed.node import portforward, remotecommand, state, websocket
from testbed.procfs import running

LOG = logging.getLogger("testbed.kubelet_api")

HANDSHAKE_TIMEOUT = 10
IDLE_TIMEOUT = 300  # a keep-alive connection with no request for this long is closed
FOLLOW_POLL = 0.1  # how often a followed log is checked for new bytes
# A followed run whose process was never seen running has ended after this long (the agent
# may create the log a moment before it writes the pid).
PID_GRACE = 0.5
CHUNK = 64 * 1024


class RequestError(Exception):
    """Answer the request with ``status`` and a plain-text ``message``."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def _flag(query, name):
    return query.get(name, ["false"])[-1].strip().lower() in ("1", "true", "yes")


def _integer(query, name):
    if name not in query:
        return None
    try:
        return int(query[name][-1])
    except ValueError:
        raise RequestError(HTTPStatus.BAD_REQUEST, "%s=%r is not an integer" % (name, query[name][-1])) from None


def _since(query):
    """The earliest time (epoch seconds) asked for by sinceSeconds or sinceTime, or None."""
    seconds = _integer(query, "sinceSeconds")
    if seconds is not None:
        return time.time() - seconds
    if "sinceTime" in query:
        text = query["sinceTime"][-1]
        try:
            return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
        except ValueError:
            raise RequestError(HTTPStatus.BAD_REQUEST, "sinceTime=%r is not an RFC 3339 time" % text) from None
    return None


def tail_offset(handle, size, lines):
    """The offset in a file of ``size`` bytes where its last ``lines`` lines begin.

    A final line without a newline counts as a line, as in ``tail -n``.
    """
    if lines <= 0:
        return size
    end = size
    if size:
        handle.seek(size - 1)
        if handle.read(1) == b"\n":
            end = size - 1  # the newline that ends the last line does not start a line
    found = 0
    position = end
    while position > 0:
        start = max(0, position - CHUNK)
        handle.seek(start)
        data = handle.read(position - start)
        index = len(data)
        while (index := data.rfind(b"\n", 0, index)) >= 0:
            found += 1
            if found == lines:
                return start + index + 1
        position = start
    return 0


def _pod_record(namespace, pod):
    record = state.find_pod(namespace, pod)
    if record is None:
        raise RequestError(HTTPStatus.NOT_FOUND, 'pod "%s/%s" is not known on this node' % (namespace, pod))
    return record


def _log_run(record, container, previous):
    """The run whose log is asked for: the current one, or with ``previous`` the one before."""
    if not state.container_dir(record, container).is_dir():
        raise RequestError(
            HTTPStatus.NOT_FOUND,
            'container "%s" is not known in pod "%s/%s"' % (container, record.namespace, record.name),
        )
    runs = state.log_runs(record, container)
    if previous:
        if len(runs) < 2:
            raise RequestError(
                HTTPStatus.BAD_REQUEST,
                'previous terminated container "%s" in pod "%s" not found' % (container, record.name),
            )
        return runs[-2]
    if not runs:
        raise RequestError(
            HTTPStatus.BAD_REQUEST,
            'container "%s" in pod "%s" is waiting to start: no log yet' % (container, record.name),
        )
    return runs[-1]


class _RunWatch:
    """Tells whether a container run whose log is being followed has ended."""

    def __init__(self, record, container, run):
        self.record, self.container, self.run = record, container, run
        self.missing_since = None
        self.seen_running = False

    def ended(self):
        if state.log_runs(self.record, self.container)[-1:] != [self.run]:
            return True  # a newer run started (or the pod's state went away)
        if running(state.container_pid(self.record, self.container)):
            self.seen_running = True
            self.missing_since = None
            return False
        if self.seen_running:
            return True
        now = time.monotonic()
        if self.missing_since is None:
            self.missing_since = now
        return now - self.missing_since >= PID_GRACE


def pod_list(node_name):
    """A PodList of the pods the node agent keeps on ``node_name`` (all nodes when None)."""
    items = []
    if config.PODS_DIR.exists():
        for path in sorted(config.PODS_DIR.glob("*/pod.json")):
            try:
                data = json.loads(path.read_text())
            except (OSError, ValueError):
                continue
            if node_name and data.get("node") != node_name:
                continue
            items.append(
                {
                    "metadata": {"name": data.get("name"), "namespace": data.get("namespace"), "uid": data.get("uid")},
                    "spec": {"nodeName": data.get("node")},
                    "status": {"podIP": data.get("ip")},
                }
            )
    return {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": items}


class KubeletHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "testbed-kubelet"
    # Unbuffered reads: after an upgrade, no byte of the client's stream may sit in a buffer.
    rbufsize = 0
    timeout = IDLE_TIMEOUT

    def setup(self):
        self.request.settimeout(HANDSHAKE_TIMEOUT)
        self.request.do_handshake()
        super().setup()

    # -- plumbing ---------------------------------------------------------------
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        LOG.debug("%s %s", self.client_address[0], format % args)

    def _authenticated(self):
        return bool(self.request.getpeercert())

    def _send_text(self, status, text, content_type="text/plain; charset=utf-8"):
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _route(self):
        url = urlsplit(self.path)
        parts = [unquote(part) for part in url.path.split("/") if part]
        return parts, parse_qs(url.query, keep_blank_values=True)

    def _dispatch(self):
        parts, query = self._route()
        try:
            if parts == ["healthz"]:
                self._send_text(HTTPStatus.OK, "ok")
                return
            if not self._authenticated():
                raise RequestError(
                    HTTPStatus.UNAUTHORIZED, "a client certificate signed by the test bed CA is required"
                )
            if parts == ["pods"] and self.command == "GET":
                self._send_text(HTTPStatus.OK, json.dumps(pod_list(self.server.node_name)), "application/json")
            elif len(parts) == 4 and parts[0] == "containerLogs" and self.command == "GET":
                self._container_logs(parts[1], parts[2], parts[3], query)
            elif len(parts) == 4 and parts[0] == "exec" and self.command in ("GET", "POST"):
                self._exec(parts[1], parts[2], parts[3], query)
            elif len(parts) in (3, 4) and parts[0] == "portForward" and self.command in ("GET", "POST"):
                self._port_forward(parts[1], parts[2])
            elif parts and parts[0] in ("attach", "run", "stats", "metrics", "logs"):
                raise RequestError(HTTPStatus.NOT_IMPLEMENTED, "/%s is not served by the test bed's kubelet" % parts[0])
            else:
                raise RequestError(HTTPStatus.NOT_FOUND, "no such kubelet endpoint: %s %s" % (self.command, self.path))
        except RequestError as error:
            self._send_text(error.status, error.message + "\n")

    do_GET = do_POST = do_HEAD = _dispatch  # noqa: N815 - names BaseHTTPRequestHandler looks up

    # -- logs -------------------------------------------------------------------
    def _container_logs(self, namespace, pod, container, query):
        if _flag(query, "timestamps"):
            raise RequestError(
                HTTPStatus.BAD_REQUEST,
                "timestamps=true: the test bed's node agent keeps no per-line times in its logs",
            )
        record = _pod_record(namespace, pod)
        previous = _flag(query, "previous")
        run = _log_run(record, container, previous)
        follow = _flag(query, "follow") and not previous
        tail = _integer(query, "tailLines")
        limit = _integer(query, "limitBytes")
        since = _since(query)
        path = state.log_path(record, container, run)
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            start = 0
            if since is not None and os.fstat(handle.fileno()).st_mtime < since:
                start = size
            elif tail is not None and tail >= 0:
                start = tail_offset(handle, size, tail)
            handle.seek(start)
            if follow:
                self._follow(handle, limit, _RunWatch(record, container, run))
            else:
                length = size - start if limit is None else min(size - start, max(limit, 0))
                self.send_response(HTTPStatus.OK)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(length))
                self.end_headers()
                while length > 0:
                    data = handle.read(min(CHUNK, length))
                    if not data:
                        break
                    self.wfile.write(data)
                    length -= len(data)

    def _follow(self, handle, limit, watch):
        """Stream the log as it grows (chunked) until its run ends or the client leaves."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        remaining = limit if limit is not None else -1
        try:
            while remaining != 0:
                data = handle.read(CHUNK if remaining < 0 else min(CHUNK, remaining))
                if data:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                    remaining = remaining - len(data) if remaining > 0 else remaining
                    continue
                if watch.ended():
                    # Bytes written between the last read and the end of the run.
                    data = handle.read(CHUNK if remaining < 0 else min(CHUNK, remaining))
                    if data:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                        continue
                    break
                if self._client_left(FOLLOW_POLL):
                    self.close_connection = True
                    return
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            self.close_connection = True

    def _client_left(self, wait):
        """Wait up to ``wait`` seconds; True if the client closed its side meanwhile."""
        sock = self.request
        if not sock.pending():
            readable, _, _ = select.select([sock], [], [], wait)
            if not readable:
                return False
        sock.settimeout(1)
        try:
            # A client waiting for a response sends nothing: readable means it closed.
            return not sock.recv(1)
        except (OSError, ValueError):
            return True
        finally:
            sock.settimeout(None)

    # -- exec -------------------------------------------------------------------
    def _exec(self, namespace, pod, container, query):
        command = query.get("command") or []
        if not command:
            raise RequestError(HTTPStatus.BAD_REQUEST, "exec needs at least one command= parameter")
        # The API server passes the kubelet's names (input, output, error); clients use stdin, ...
        streams = {
            name: _flag(query, name) or _flag(query, alias)
            for name, alias in (("stdin", "input"), ("stdout", "output"), ("stderr", "error"), ("tty", "tty"))
        }
        if not (streams["stdin"] or streams["stdout"] or streams["stderr"]):
            raise RequestError(HTTPStatus.BAD_REQUEST, "you must specify at least 1 of stdin, stdout, stderr")
        record = _pod_record(namespace, pod)
        pid = state.container_pid(record, container)
        if pid is None:
            raise RequestError(
                HTTPStatus.NOT_FOUND,
                'container "%s" in pod "%s/%s" is not running' % (container, namespace, pod),
            )
        if self.headers.get("Upgrade", "").lower() == "spdy/3.1":
            self._exec_spdy(namespace, pod, container, command, streams, record, pid)
            return
        if not websocket.is_upgrade(self.headers):
            raise RequestError(
                HTTPStatus.BAD_REQUEST,
                "exec needs a WebSocket or SPDY/3.1 upgrade (channel.k8s.io protocols); got Upgrade: %r"
                % self.headers.get("Upgrade", ""),
            )
        offered = websocket.offered_protocols(self.headers)
        protocol = remotecommand.choose_protocol(offered)
        if protocol is None:
            raise RequestError(
                HTTPStatus.BAD_REQUEST,
                "none of the offered subprotocols %s is one of %s" % (offered, list(remotecommand.PROTOCOLS)),
            )
        key = self.headers.get("Sec-WebSocket-Key")
        if not key:
            raise RequestError(HTTPStatus.BAD_REQUEST, "WebSocket upgrade without Sec-WebSocket-Key")
        process = self._start_process(command, streams, record, container, pid)
        self.send_response(HTTPStatus.SWITCHING_PROTOCOLS)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", websocket.accept_key(key))
        if offered:
            self.send_header("Sec-WebSocket-Protocol", protocol)
        self.end_headers()
        self._run_session(remotecommand.ChannelSession(self.request, protocol, process, log=LOG.info),
                          "%s/%s/%s" % (namespace, pod, container), "WebSocket")

    def _exec_spdy(self, namespace, pod, container, command, streams, record, pid):
        """Exec over SPDY/3.1: what a 1.30+ API server speaks when it translates kubectl's WebSocket."""
        offered = [v.strip() for value in self.headers.get_all("X-Stream-Protocol-Version") or ()
                   for v in value.split(",") if v.strip()]
        protocol = remotecommand.choose_spdy_protocol(offered)
        if protocol is None:
            raise RequestError(
                HTTPStatus.FORBIDDEN,
                "none of the offered stream protocols %s is one of %s" % (offered, list(remotecommand.SPDY_PROTOCOLS)),
            )
        expected = {"error"} | {name for name in ("stdin", "stdout") if streams[name]}
        if streams["stderr"] and not streams["tty"]:
            expected.add("stderr")
        process = self._start_process(command, streams, record, container, pid)
        self.send_response(HTTPStatus.SWITCHING_PROTOCOLS)
        self.send_header("Connection", "Upgrade")
        self.send_header("Upgrade", "SPDY/3.1")
        self.send_header("X-Stream-Protocol-Version", protocol)
        self.end_headers()
        self._run_session(remotecommand.SpdySession(self.request, protocol, process, expected, log=LOG.info),
                          "%s/%s/%s" % (namespace, pod, container), "SPDY")

    @staticmethod
    def _start_process(command, streams, record, container, pid):
        try:
            return remotecommand.ContainerProcess(
                pid, command, streams["stdin"], streams["stdout"], streams["stderr"], streams["tty"],
                launch_env=state.launch_env(record, container),
            )
        except OSError as error:
            raise RequestError(HTTPStatus.INTERNAL_SERVER_ERROR, "cannot start %s: %s" % (command, error)) from None

    def _run_session(self, session, target, transport):
        """Serve the upgraded connection until the command ends, then log how it ended."""
        started = time.monotonic()
        self.close_connection = True
        self.request.settimeout(None)
        code = session.run()
        session.close()
        LOG.info("exec %s %s (%s, %s): exit %s, %.3f s", target, session.process.command, transport,
                 session.protocol, code, time.monotonic() - started)


    # -- port-forward -------------------------------------------------------------
    def _port_forward(self, namespace, pod):
        """Port-forward over SPDY/3.1 (portforward.k8s.io); ports are named per stream."""
        record = _pod_record(namespace, pod)
        pid = state.any_container_pid(record)
        if pid is None:
            raise RequestError(HTTPStatus.NOT_FOUND, 'pod "%s/%s" has no running container' % (namespace, pod))
        if self.headers.get("Upgrade", "").lower() != "spdy/3.1":
            raise RequestError(
                HTTPStatus.BAD_REQUEST,
                "port-forward needs an SPDY/3.1 upgrade; got Upgrade: %r" % self.headers.get("Upgrade", ""),
            )
        offered = [v.strip() for value in self.headers.get_all("X-Stream-Protocol-Version") or ()
                   for v in value.split(",") if v.strip()]
        if portforward.PROTOCOL not in offered:
            raise RequestError(
                HTTPStatus.FORBIDDEN, "none of the offered stream protocols %s is %s" % (offered, portforward.PROTOCOL)
            )
        self.send_response(HTTPStatus.SWITCHING_PROTOCOLS)
        self.send_header("Connection", "Upgrade")
        self.send_header("Upgrade", "SPDY/3.1")
        self.send_header("X-Stream-Protocol-Version", portforward.PROTOCOL)
        self.end_headers()
        self.close_connection = True
        self.request.settimeout(None)
        session = portforward.PortForwardSession(self.request, pid, "%s/%s" % (namespace, pod), log=LOG.info)
        session.run()
        session.close()


class KubeletServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address, port, context, node_name=None):
        self.context = context
        self.node_name = node_name
        super().__init__((address, port), KubeletHandler)

    def get_request(self):
        sock, client = self.socket.accept()
        # Exec sends small frames back to back (output, status, close): without this, Nagle
        # holds each one for the peer's delayed ACK, 40 ms a time.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # The TLS handshake happens on the request's own thread (KubeletHandler.setup), so a
        # slow client never holds up the accept loop.
        return self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), client

    def handle_error(self, request, client_address):
        error = sys.exc_info()[1]
        if isinstance(error, (ssl.SSLError, ConnectionError, TimeoutError)):
            # A client that failed the TLS handshake or hung up: not the server's fault.
            LOG.debug("connection from %s dropped: %s", client_address[0], error)
        else:
            LOG.warning("kubelet API request from %s failed", client_address[0], exc_info=True)


def tls_context(pki_dir=None):
    """Server TLS with the kubelet's certificate; client certificates are checked against the CA."""
    pki_dir = pki_dir or config.PKI_DIR
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki_dir / "kubelet.crt", pki_dir / "kubelet.key")
    context.load_verify_locations(pki_dir / "ca.crt")
    context.verify_mode = ssl.CERT_OPTIONAL
    return context


def node_name_of(address):
    for index, name in enumerate(config.NODE_NAMES, start=1):
        if config.node_address(index) == address:
            return name
    return None


def serve(address, port=config.KUBELET_PORT, node_name=None):
    """Start the kubelet API on ``address:port`` in a daemon thread; returns (server, thread).

    ``node_name`` limits /pods to that node's pods (by default the node whose address this is).
    Stop it with ``server.shutdown(); server.server_close()``.
    """
    server = KubeletServer(address, port, tls_context(), node_name or node_name_of(address))
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.5}, name="kubelet-api-%s" % address, daemon=True
    )
    thread.start()
    return server, thread


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m testbed.node.kubelet_api", description=__doc__.split("\n")[0])
    parser.add_argument("--address", required=True, help="the node address to listen on, e.g. 10.244.1.1")
    parser.add_argument("--port", type=int, default=config.KUBELET_PORT)
    parser.add_argument("--node-name", help="the node whose pods /pods lists (default: from the address)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(message)s")
    server, thread = serve(args.address, args.port, args.node_name)
    LOG.info("kubelet API on https://%s:%d (node %s)", args.address, args.port, server.node_name or "any")
    try:
        while thread.is_alive():
            thread.join(1)
    except KeyboardInterrupt:
        server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
