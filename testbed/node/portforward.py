"""Port-forward into a pod over SPDY/3.1 (portforward.k8s.io), as the kubelet serves it.

The API server is the client: for each forwarded connection it opens two streams sharing
a ``requestID`` and naming the ``port`` in their headers, ``streamtype: error`` then
``streamtype: data``. The kubelet connects to that port on the pod's loopback, inside the
pod's network namespace, and copies bytes both ways; a failure to connect is written on
the error stream. kubectl port-forward reaches this through a 1.30+ API server's
WebSocket-to-SPDY tunnel, and through an older API server's SPDY proxy, unchanged.

The connection is made from a short-lived thread that enters the pod's network namespace
with setns(2) (Python 3.11's os module has no setns; it arrived in 3.12): a socket stays in
the namespace it was created in, so the session's own thread then uses it like any other.
"""

import ctypes
import os
import select
import socket
import threading

from testbed.node import remotecommand, spdy

PROTOCOL = "portforward.k8s.io"
CLONE_NEWNET = 0x40000000
CONNECT_TIMEOUT = 5.0

_libc = ctypes.CDLL(None, use_errno=True)


def connect_in_namespace(pid, port, timeout=CONNECT_TIMEOUT):
    """A TCP connection to 127.0.0.1:``port`` in the network namespace of process ``pid``."""
    outcome = {}

    def connect():
        try:
            with open("/proc/%d/ns/net" % pid) as namespace:
                if _libc.setns(namespace.fileno(), CLONE_NEWNET) != 0:
                    error = ctypes.get_errno()
                    raise OSError(error, "setns: %s" % os.strerror(error))
            outcome["socket"] = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        except OSError as error:
            outcome["error"] = error

    # The thread ends in the pod's namespace and is thrown away: no other work runs on it.
    thread = threading.Thread(target=connect, name="portforward-connect")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    outcome["socket"].settimeout(None)
    return outcome["socket"]


class _Forward:
    """One forwarded connection: its two streams and the socket into the pod."""

    def __init__(self, port):
        self.port = port
        self.error_stream = None
        self.data_stream = None
        self.conn = None
        self.done = False


class PortForwardSession:
    """All forwarded connections of one upgraded SPDY connection, on the calling thread."""

    def __init__(self, sock, pid, pod_name, log=None):
        self.sock = sock
        self.pid = pid
        self.pod_name = pod_name
        self.decoder = spdy.Decoder()
        self.codec = spdy.HeaderCodec()
        self.forwards = {}  # requestID -> _Forward
        self.by_stream = {}  # stream id -> (requestID, stream type)
        self.last_stream = 0
        self.client_open = True
        self.log = log or (lambda message: None)

    def run(self):
        try:
            while self.client_open:
                conns = {f.conn: f for f in self.forwards.values() if f.conn is not None}
                readable, _, _ = select.select([self.sock, *conns], [], [], 0 if self.sock.pending() else 1.0)
                if self.sock in readable or self.sock.pending():
                    self._read_client()
                for conn in readable:
                    if conn in conns:
                        self._read_pod(conns[conn])
        except (OSError, spdy.ProtocolError) as error:
            self.log("port-forward to %s ended: %s" % (self.pod_name, error))
        finally:
            for forward in self.forwards.values():
                self._close_conn(forward)

    def close(self):
        try:
            self.sock.sendall(spdy.goaway(self.last_stream))
        except (OSError, ValueError):
            pass

    # -- the client's side ------------------------------------------------------
    def _read_client(self):
        data = remotecommand.receive(self.sock)
        if not data:
            self.client_open = False
            return
        for frame in self.decoder.feed(data):
            self._on_frame(frame)

    def _on_frame(self, frame):
        if frame.kind == spdy.SYN_STREAM:
            self._on_new_stream(frame)
        elif frame.kind is None:
            request_id, kind = self.by_stream.get(frame.stream_id, (None, None))
            forward = self.forwards.get(request_id)
            if forward is None or kind != "data":
                return
            if frame.payload and forward.conn is not None:
                forward.conn.sendall(frame.payload)
            if frame.fin and forward.conn is not None:
                # The client has sent all it will: the pod's side sees end of input.
                forward.conn.shutdown(socket.SHUT_WR)
        elif frame.kind == spdy.RST_STREAM:
            request_id, _ = self.by_stream.get(frame.stream_id, (None, None))
            if request_id in self.forwards:
                self._close_conn(self.forwards[request_id])
        elif frame.kind == spdy.PING:
            self.sock.sendall(spdy.ping(frame))
        elif frame.kind == spdy.GOAWAY:
            self.client_open = False

    def _on_new_stream(self, frame):
        headers = spdy.syn_stream_headers(frame, self.codec)
        self.last_stream = max(self.last_stream, frame.stream_id)
        self.sock.sendall(spdy.syn_reply(frame.stream_id, self.codec))
        kind, request_id = headers.get("streamtype", ""), headers.get("requestid", "")
        try:
            port = int(headers.get("port", ""))
        except ValueError:
            port = 0
        forward = self.forwards.setdefault(request_id, _Forward(port))
        self.by_stream[frame.stream_id] = (request_id, kind)
        if kind == "error":
            forward.error_stream = frame.stream_id
        elif kind == "data":
            forward.data_stream = frame.stream_id
        if forward.error_stream is not None and forward.data_stream is not None and forward.conn is None:
            self._connect(forward)

    def _connect(self, forward):
        if not 0 < forward.port < 65536:
            self._fail(forward, "invalid port %r" % forward.port)
            return
        try:
            forward.conn = connect_in_namespace(self.pid, forward.port)
        except OSError as error:
            self._fail(forward, "error forwarding port %d to pod %s: %s" % (forward.port, self.pod_name, error))

    def _fail(self, forward, message):
        self.log("port-forward: %s" % message)
        self.sock.sendall(spdy.data(forward.error_stream, message.encode(), fin=True))
        self.sock.sendall(spdy.data(forward.data_stream, b"", fin=True))
        forward.done = True

    # -- the pod's side -----------------------------------------------------------
    def _read_pod(self, forward):
        try:
            data = forward.conn.recv(remotecommand.READ_SIZE)
        except OSError:
            data = b""
        if data:
            self.sock.sendall(spdy.data(forward.data_stream, data))
            return
        # The pod closed its side: the client's data stream ends, the error stream with no error.
        self.sock.sendall(spdy.data(forward.data_stream, b"", fin=True))
        self.sock.sendall(spdy.data(forward.error_stream, b"", fin=True))
        self._close_conn(forward)

    @staticmethod
    def _close_conn(forward):
        if forward.conn is not None:
            forward.conn.close()
            forward.conn = None
        forward.done = True
