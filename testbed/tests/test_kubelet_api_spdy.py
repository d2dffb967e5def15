"""Exec over SPDY/3.1, as a 1.30+ API server speaks it to the kubelet, against the local server.

The client side here is written from the protocol (SYN_STREAM per channel, data frames,
FIN to half-close), independently of the server's session code; only the framing helpers
of testbed/node/spdy.py are shared. kubectl exec through a real API server is tested in
test_kubelet_api.py on the bed.
"""

import hashlib
import json
import socket
import time
from urllib.parse import quote

from testbed.node import spdy


class SpdyClient:
    def __init__(self, bed, record, command, stdin=False, tty=False,
                 protocols=("v5.channel.k8s.io", "v4.channel.k8s.io")):
        query = "&".join("command=%s" % quote(part, safe="") for part in command)
        query += "&output=1" + ("" if tty else "&error=1") + ("&input=1" if stdin else "") + ("&tty=1" if tty else "")
        raw = socket.create_connection(("127.0.0.1", bed["port"]), timeout=10)
        self.sock = bed["context"].wrap_socket(raw, server_hostname="127.0.0.1")
        request = "POST /exec/%s/%s/main?%s HTTP/1.1\r\n" % (record.namespace, record.name, query)
        request += "Host: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
        request += "".join("X-Stream-Protocol-Version: %s\r\n" % p for p in protocols) + "Content-Length: 0\r\n\r\n"
        self.sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(1)
        self.status_line, *header_lines = head.decode().split("\r\n")
        self.headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in header_lines if line)}
        self.codec = spdy.HeaderCodec()
        self.decoder = spdy.Decoder()
        self.ids = {}
        self.received = {}
        self.closed = set()
        self.replied = set()
        self.pings = []
        kinds = ["error"] + (["stdin"] if stdin else []) + ["stdout"] + (["resize"] if tty else ["stderr"])
        for number, kind in enumerate(kinds):
            stream_id = 2 * number + 1
            self.ids[stream_id] = kind
            self.sock.sendall(spdy.syn_stream(stream_id, self.codec, {"streamtype": kind}))

    def id_of(self, kind):
        return next(i for i, k in self.ids.items() if k == kind)

    def send(self, kind, data, fin=False):
        self.sock.sendall(spdy.data(self.id_of(kind), data, fin))

    def run(self, timeout=10):
        """Read frames until the server says GOAWAY or closes; returns {kind: bytes}."""
        deadline = time.monotonic() + timeout
        self.sock.settimeout(timeout)
        while time.monotonic() < deadline:
            data = self.sock.recv(65536)
            if not data:
                break
            frames = self.decoder.feed(data)
            for frame in frames:
                if frame.kind == spdy.SYN_REPLY:
                    self.replied.add(frame.stream_id)
                elif frame.kind is None:
                    kind = self.ids[frame.stream_id]
                    self.received[kind] = self.received.get(kind, b"") + frame.payload
                    if frame.fin:
                        self.closed.add(kind)
                elif frame.kind == spdy.PING:
                    self.pings.append(frame.payload)
                elif frame.kind == spdy.GOAWAY:
                    return self.received
        return self.received


def test_the_dictionary_is_the_one_of_the_spdy3_draft():
    # sha256 of the 1423 bytes of section 2.6.10.1, as Go's and Java's SPDY stacks ship them.
    assert len(spdy.DICTIONARY) == 1423
    digest = "51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02"
    assert hashlib.sha256(spdy.DICTIONARY).hexdigest() == digest


def test_header_blocks_round_trip_through_one_zlib_stream_per_direction():
    sender, receiver = spdy.HeaderCodec(), spdy.HeaderCodec()
    for headers in ({"streamtype": "error"}, {"streamtype": "stdout"}, {}):
        assert receiver.decode(sender.encode(headers)) == headers


def test_exec_over_spdy_runs_the_command_and_reports_success_on_the_error_stream(local_bed, container):
    record = container[0]
    client = SpdyClient(local_bed, record, ["sh", "-c", 'echo "$GREETING"; hostname; echo oops >&2'])
    assert client.status_line.startswith("HTTP/1.1 101")
    assert client.headers["upgrade"] == "SPDY/3.1"
    assert client.headers["x-stream-protocol-version"] == "v4.channel.k8s.io"
    received = client.run()
    assert received["stdout"] == b"hello from the pod\nin-pod\n"
    assert received["stderr"] == b"oops\n"
    assert json.loads(received["error"]) == {"metadata": {}, "status": "Success"}
    assert client.replied == set(client.ids)
    assert {"stdout", "stderr", "error"} <= client.closed


def test_exec_over_spdy_stdin_fin_ends_the_input_and_exit_codes_are_v4_statuses(local_bed, container):
    record = container[0]
    client = SpdyClient(local_bed, record, ["sh", "-c", "cat; exit 3"], stdin=True)
    client.send("stdin", b"line one\nline two\n", fin=True)
    received = client.run()
    assert received["stdout"] == b"line one\nline two\n"
    status = json.loads(received["error"])
    assert status["reason"] == "NonZeroExitCode"
    assert status["details"]["causes"] == [{"reason": "ExitCode", "message": "3"}]


def test_exec_over_spdy_with_a_terminal_applies_resize_and_answers_pings(local_bed, container):
    record = container[0]
    client = SpdyClient(local_bed, record, ["sh", "-c", "read line; stty size; echo got $line"], stdin=True, tty=True)
    client.sock.sendall(spdy.ping(7))
    client.send("resize", json.dumps({"Width": 91, "Height": 37}).encode())
    time.sleep(0.3)
    client.send("stdin", b"hi\n")
    received = client.run()
    assert b"37 91" in received["stdout"] and b"got hi" in received["stdout"]
    assert client.pings == [b"\x00\x00\x00\x07"]
    assert json.loads(received["error"])["status"] == "Success"


def test_spdy_upgrade_without_a_known_protocol_is_refused(local_bed, container):
    record = container[0]
    client = SpdyClient(local_bed, record, ["true"], protocols=("v9.channel.k8s.io",))
    assert client.status_line.startswith("HTTP/1.1 403")
