"""The kubelet API served on 127.0.0.1, talking to a real process in namespaces of its own.

No API server here: these tests call the server the way the API server does (TLS with a
client certificate from the test bed's CA) to pin down the wire protocol, including the
cases kubectl and the Python client never show (WebSocket fragments, pings, v4 vs v5).
"""

import hashlib
import http.client
import json
import os
import ssl
import subprocess
import threading
import time
import uuid
from urllib.parse import quote

import pytest
import websocket as ws_client

from testbed.node import kubelet_api, state, websocket


def _get(bed, path, cert=True):
    context = bed["context"]
    if not cert:
        context = ssl.create_default_context(cafile=str(bed["pki"] / "ca.crt"))
        context.check_hostname = False
    connection = http.client.HTTPSConnection("127.0.0.1", bed["port"], context=context, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.read().decode()


def _exec(bed, record, command, protocols=("v5.channel.k8s.io", "v4.channel.k8s.io"), stdin=None, tty=False):
    """Run one exec; returns ({channel: bytes}, subprotocol, seconds)."""
    # The parameter names the API server uses towards a kubelet (input/output/error).
    query = "&".join("command=%s" % quote(part, safe="") for part in command)
    query += "&output=1" + ("" if tty else "&error=1") + ("&input=1" if stdin is not None else "")
    query += "&tty=1" if tty else ""
    started = time.monotonic()
    connection = ws_client.create_connection(
        "wss://127.0.0.1:%d/exec/%s/%s/main?%s" % (bed["port"], record.namespace, record.name, query),
        subprotocols=list(protocols),
        sslopt={"context": bed["context"]},
        timeout=10,
    )
    if stdin is not None:
        connection.send_binary(b"\x00" + stdin)
        if connection.subprotocol == "v5.channel.k8s.io":
            connection.send_binary(b"\xff\x00")
    received = {}
    while True:
        opcode, data = connection.recv_data(control_frame=False)
        if opcode == ws_client.ABNF.OPCODE_CLOSE:
            break
        received[data[0]] = received.get(data[0], b"") + data[1:]
    connection.close()
    return received, connection.subprotocol, time.monotonic() - started


def test_healthz_is_open_and_everything_else_needs_a_client_certificate(local_bed):
    assert _get(local_bed, "/healthz", cert=False) == (200, "ok")
    status, text = _get(local_bed, "/pods", cert=False)
    assert status == 401 and "client certificate" in text


def test_pods_lists_the_records_of_this_node(local_bed, container):
    record = container[0]
    status, text = _get(local_bed, "/pods")
    assert status == 200
    names = [(item["metadata"]["namespace"], item["metadata"]["name"]) for item in json.loads(text)["items"]]
    assert ("default", record.name) in names


def test_logs_of_the_current_run_with_tail_and_limit(local_bed, container):
    record = container[0]
    log = state.log_path(record, "main", 0)
    with open(log, "ab") as handle:
        handle.write(b"line 2\nline 3\nline 4")  # the last line has no newline yet
    base = "/containerLogs/default/%s/main" % record.name
    assert _get(local_bed, base) == (200, "started\nline 2\nline 3\nline 4")
    assert _get(local_bed, base + "?tailLines=2") == (200, "line 3\nline 4")
    assert _get(local_bed, base + "?tailLines=0") == (200, "")
    assert _get(local_bed, base + "?limitBytes=9") == (200, "started\nl")
    assert _get(local_bed, base + "?sinceSeconds=3600")[1].startswith("started")


def test_previous_logs_are_the_run_before(local_bed, container):
    record = container[0]
    base = "/containerLogs/default/%s/main" % record.name
    status, text = _get(local_bed, base + "?previous=true")
    assert status == 400 and "previous terminated container" in text
    state.log_path(record, "main", 1).write_bytes(b"second run\n")
    assert _get(local_bed, base + "?previous=true") == (200, "started\n")
    assert _get(local_bed, base) == (200, "second run\n")


def test_unknown_pod_container_and_timestamps_are_clear_errors(local_bed, container):
    record = container[0]
    status, text = _get(local_bed, "/containerLogs/default/no-such-pod/main")
    assert status == 404 and 'pod "default/no-such-pod"' in text
    status, text = _get(local_bed, "/containerLogs/default/%s/sidecar" % record.name)
    assert status == 404 and 'container "sidecar"' in text
    status, text = _get(local_bed, "/containerLogs/default/%s/main?timestamps=true" % record.name)
    assert status == 400 and "timestamps" in text


def test_follow_streams_appended_bytes_and_ends_with_the_run(local_bed, container):
    record, process, _ = container
    log = state.log_path(record, "main", 0)
    connection = http.client.HTTPSConnection("127.0.0.1", local_bed["port"], context=local_bed["context"], timeout=10)
    connection.request("GET", "/containerLogs/default/%s/main?follow=true" % record.name)
    response = connection.getresponse()
    assert response.status == 200
    assert response.read1() == b"started\n"
    with open(log, "ab") as handle:
        handle.write(b"appended\n")
    appended_at = time.monotonic()
    assert response.read1() == b"appended\n"
    latency = time.monotonic() - appended_at
    process.kill()
    process.wait()
    ended_at = time.monotonic()
    assert response.read() == b""  # the chunked body ends once the run is over
    # Streamed as written and ended with the run, not at the connection's 10 s timeout
    # (bounds are loose on purpose: this proves behaviour, bench/ measures speed).
    assert latency < 5
    assert time.monotonic() - ended_at < 5


def _handler_threads():
    return sum(1 for thread in threading.enumerate() if "process_request_thread" in thread.name)


def test_follow_stops_when_the_client_leaves(local_bed, container):
    record = container[0]
    before = _handler_threads()
    connection = http.client.HTTPSConnection("127.0.0.1", local_bed["port"], context=local_bed["context"], timeout=10)
    connection.request("GET", "/containerLogs/default/%s/main?follow=true" % record.name)
    response = connection.getresponse()
    assert response.read1() == b"started\n"
    assert _handler_threads() == before + 1
    response.close()
    connection.close()
    deadline = time.monotonic() + 3
    while _handler_threads() > before:
        assert time.monotonic() < deadline, "the follow kept running after its client left"
        time.sleep(0.05)


def test_exec_runs_in_the_container_namespaces_with_its_env_and_cwd(local_bed, container):
    record, _, workdir = container
    received, protocol, _ = _exec(local_bed, record, ["sh", "-c", 'hostname; echo "$GREETING"; pwd; echo oops >&2'])
    assert protocol == "v5.channel.k8s.io"
    assert received[1].decode().splitlines() == ["in-pod", "hello from the pod", str(workdir)]
    assert received[2] == b"oops\n"
    assert json.loads(received[3]) == {"metadata": {}, "status": "Success"}


def test_exec_reports_a_non_zero_exit_code_as_v4_status(local_bed, container):
    record = container[0]
    received, protocol, _ = _exec(local_bed, record, ["sh", "-c", "exit 7"], protocols=("v4.channel.k8s.io",))
    assert protocol == "v4.channel.k8s.io"
    status = json.loads(received[3])
    assert status["status"] == "Failure" and status["reason"] == "NonZeroExitCode"
    assert status["details"]["causes"] == [{"reason": "ExitCode", "message": "7"}]


def test_exec_stdin_reaches_the_command_and_v5_close_ends_it(local_bed, container):
    record = container[0]
    payload = os.urandom(300_000)  # several frames and pipe buffers worth
    received, _, _ = _exec(local_bed, record, ["sha256sum"], stdin=payload)
    assert received[1].split()[0].decode() == hashlib.sha256(payload).hexdigest()


def test_exec_with_a_terminal(local_bed, container):
    record = container[0]
    received, _, _ = _exec(local_bed, record, ["sh", "-c", "test -t 0 && test -t 1 && echo tty"], tty=True)
    assert received[1].replace(b"\r", b"") == b"tty\n"


def test_exec_of_a_missing_program_is_exit_127(local_bed, container):
    record = container[0]
    received, _, _ = _exec(local_bed, record, ["no-such-program"])
    assert json.loads(received[3])["details"]["causes"][0]["message"] == "127"
    assert b"no-such-program" in received[2]


def test_exec_into_a_stopped_container_is_refused_before_upgrading(local_bed, container):
    record, process, _ = container
    process.kill()
    process.wait()
    with pytest.raises(ws_client.WebSocketBadStatusException) as raised:
        _exec(local_bed, record, ["true"])
    assert raised.value.status_code == 404


def test_exec_answers_pings_and_fragmented_stdin(local_bed, container):
    record = container[0]
    connection = ws_client.create_connection(
        "wss://127.0.0.1:%d/exec/default/%s/main?command=cat&stdin=true&stdout=true" % (local_bed["port"], record.name),
        subprotocols=["v5.channel.k8s.io"],
        sslopt={"context": local_bed["context"]},
        timeout=10,
    )
    connection.ping(b"are you there")
    opcode, frame = connection.recv_data_frame(control_frame=True)
    assert (opcode, frame.data) == (ws_client.ABNF.OPCODE_PONG, b"are you there")
    first = ws_client.ABNF.create_frame(b"\x00frag", ws_client.ABNF.OPCODE_BINARY, fin=0)
    second = ws_client.ABNF.create_frame(b"mented\n", ws_client.ABNF.OPCODE_CONT, fin=1)
    connection.send_frame(first)
    connection.send_frame(second)
    assert connection.recv() == b"\x01fragmented\n"
    connection.send_binary(b"\xff\x00")
    messages = []
    while True:
        opcode, data = connection.recv_data()
        if opcode == ws_client.ABNF.OPCODE_CLOSE:
            break
        messages.append(data)
    assert messages[-1] == b'\x03{"metadata": {}, "status": "Success"}'
    connection.close()


def test_client_leaving_kills_the_command(local_bed, container):
    record = container[0]
    marker = "sleep-%s" % uuid.uuid4().hex[:8]
    connection = ws_client.create_connection(
        "wss://127.0.0.1:%d/exec/default/%s/main?command=sh&command=-c&command=sleep+300%%3B+%%3A+%s&stdout=true"
        % (local_bed["port"], record.name, marker),
        subprotocols=["v4.channel.k8s.io"],
        sslopt={"context": local_bed["context"]},
        timeout=10,
    )
    deadline = time.monotonic() + 5
    while subprocess.run(["pgrep", "-f", marker], capture_output=True).returncode != 0:
        assert time.monotonic() < deadline, "the exec'd command never started"
        time.sleep(0.05)
    connection.sock.close()
    deadline = time.monotonic() + 5
    while subprocess.run(["pgrep", "-f", marker], capture_output=True).returncode == 0:
        assert time.monotonic() < deadline, "the exec'd command outlived its client"
        time.sleep(0.05)


@pytest.mark.parametrize(
    ("content", "lines", "expected"),
    [
        (b"a\nb\nc\n", 2, b"b\nc\n"),
        (b"a\nb\nc", 2, b"b\nc"),
        (b"a\nb\nc\n", 5, b"a\nb\nc\n"),
        (b"a\nb\nc\n", 0, b""),
        (b"", 3, b""),
        (b"x" * 100_000 + b"\nlast\n", 1, b"last\n"),
    ],
)
def test_tail_offset_counts_lines_from_the_end(tmp_path, content, lines, expected):
    path = tmp_path / "log"
    path.write_bytes(content)
    with open(path, "rb") as handle:
        assert content[kubelet_api.tail_offset(handle, len(content), lines) :] == expected


def test_decoder_joins_fragments_across_reads_and_passes_control_frames_between():
    frames = (
        ws_client.ABNF.create_frame(b"\x00hel", ws_client.ABNF.OPCODE_BINARY, fin=0).format()
        + ws_client.ABNF.create_frame(b"ping", ws_client.ABNF.OPCODE_PING).format()
        + ws_client.ABNF.create_frame(b"lo" * 40_000, ws_client.ABNF.OPCODE_CONT, fin=1).format()
    )
    decoder = websocket.Decoder()
    messages = []
    for start in range(0, len(frames), 7777):  # arbitrary read boundaries
        messages += decoder.feed(frames[start : start + 7777])
    assert messages == [(websocket.OP_PING, b"ping"), (websocket.OP_BINARY, b"\x00hel" + b"lo" * 40_000)]


def test_decoder_refuses_unmasked_client_frames():
    with pytest.raises(websocket.ProtocolError):
        websocket.Decoder().feed(websocket.encode(websocket.OP_BINARY, b"\x01data"))
