"""Port-forward over SPDY/3.1 (portforward.k8s.io) against the local kubelet API server.

The pod here is a real process in a network namespace of its own, listening on its own
loopback only, so a connection that works proves the kubelet entered the pod's namespace.
The client is written from the protocol (an error and a data stream per connection, sharing
a requestID); `kubectl port-forward` through the real API server is tested on the bed in
test_kubelet_api.py.
"""

import http.client
import socket
import subprocess
import sys
import time
import uuid

import pytest

from testbed.node import spdy, state

ECHO_PORT = 7070
# Answers each connection with what it read, upper-cased, once the client ends its input.
ECHO_SERVER = """
import socket
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", %d))
server.listen()
print("listening", flush=True)
while True:
    conn, _ = server.accept()
    data = b""
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    conn.sendall(data.upper())
    conn.close()
""" % ECHO_PORT


@pytest.fixture
def listening_pod(local_bed):
    record = state.PodRecord("default", "pf-" + uuid.uuid4().hex[:6], uuid.uuid4().hex, "node-1", "", "10.244.1.9")
    state.write_pod(record)
    process = subprocess.Popen(
        ["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$0" -c "$1"', sys.executable, ECHO_SERVER],
        stdout=subprocess.PIPE,
    )
    assert process.stdout.readline() == b"listening\n"
    state.write_container_pid(record, "main", process.pid)
    yield record
    process.kill()
    process.wait()


class PortForwardClient:
    def __init__(self, bed, record):
        raw = socket.create_connection(("127.0.0.1", bed["port"]), timeout=10)
        self.sock = bed["context"].wrap_socket(raw, server_hostname="127.0.0.1")
        request = "POST /portForward/%s/%s HTTP/1.1\r\n" % (record.namespace, record.name)
        request += "Host: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
        request += "X-Stream-Protocol-Version: portforward.k8s.io\r\nContent-Length: 0\r\n\r\n"
        self.sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(1)
        self.status_line = head.decode().split("\r\n")[0]
        self.codec = spdy.HeaderCodec()
        self.decoder = spdy.Decoder()
        self.next_id = 1
        self.received = {}
        self.closed = set()

    def open_pair(self, port, request_id):
        """Opens the error then the data stream of one forwarded connection; returns their ids."""
        ids = []
        for kind in ("error", "data"):
            headers = {"streamtype": kind, "port": str(port), "requestid": str(request_id)}
            self.sock.sendall(spdy.syn_stream(self.next_id, self.codec, headers))
            ids.append(self.next_id)
            self.next_id += 2
        return ids

    def read_until_closed(self, stream_ids, timeout=10):
        deadline = time.monotonic() + timeout
        self.sock.settimeout(timeout)
        while not set(stream_ids) <= self.closed and time.monotonic() < deadline:
            data = self.sock.recv(65536)
            if not data:
                break
            for frame in self.decoder.feed(data):
                if frame.kind is None:
                    self.received[frame.stream_id] = self.received.get(frame.stream_id, b"") + frame.payload
                    if frame.fin:
                        self.closed.add(frame.stream_id)
        return self.received


def test_port_forward_reaches_the_pods_loopback_and_carries_both_directions(local_bed, listening_pod):
    client = PortForwardClient(local_bed, listening_pod)
    assert client.status_line.startswith("HTTP/1.1 101")
    error_id, data_id = client.open_pair(ECHO_PORT, 0)
    payload = b"hello pod " * 20000  # larger than one read: several frames each way
    client.sock.sendall(spdy.data(data_id, payload, fin=True))
    received = client.read_until_closed([error_id, data_id])
    assert received.get(data_id) == payload.upper()
    assert received.get(error_id, b"") == b"", "no error on a connection that worked"


def test_two_connections_on_one_session_are_kept_apart(local_bed, listening_pod):
    client = PortForwardClient(local_bed, listening_pod)
    first = client.open_pair(ECHO_PORT, 0)
    second = client.open_pair(ECHO_PORT, 1)
    client.sock.sendall(spdy.data(second[1], b"second", fin=True))
    client.sock.sendall(spdy.data(first[1], b"first", fin=True))
    received = client.read_until_closed(first + second)
    assert (received[first[1]], received[second[1]]) == (b"FIRST", b"SECOND")


def test_a_port_nobody_listens_on_is_reported_on_the_error_stream(local_bed, listening_pod):
    client = PortForwardClient(local_bed, listening_pod)
    error_id, data_id = client.open_pair(ECHO_PORT + 1, 0)
    received = client.read_until_closed([error_id, data_id])
    message = received[error_id].decode()
    assert "error forwarding port %d to pod default/%s" % (ECHO_PORT + 1, listening_pod.name) in message
    assert "refused" in message.lower()


def test_port_forward_without_spdy_is_refused(local_bed, listening_pod):
    connection = http.client.HTTPSConnection("127.0.0.1", local_bed["port"], context=local_bed["context"], timeout=10)
    connection.request("POST", "/portForward/default/%s" % listening_pod.name)
    response = connection.getresponse()
    assert response.status == 400
    assert "SPDY/3.1" in response.read().decode()
