"""`exec` into a container: the process, and the Kubernetes channel protocol over WebSocket.

A command "in the container" runs in every namespace of the container's main process
(``nsenter --all``), with that process's root, working directory, user and environment,
which is what a container runtime's exec gives.

The channel protocol (what the kubelet's streaming server speaks, and what the API server
proxies unchanged to kubectl and the Python client): every WebSocket message starts with
a channel byte, 0 stdin, 1 stdout, 2 stderr, 3 error/status, 4 terminal resize. From
v4.channel.k8s.io the status is a JSON metav1.Status carrying the exit code;
v5.channel.k8s.io adds message ``[255, channel]`` to close one channel (kubectl uses it
to end stdin, and it needs v5: its WebSocket client offers no other version).
"""

import errno
import fcntl
import json
import os
import pty
import select
import signal
import struct
import subprocess
import termios
import time

from testbed.node import identity, spdy, websocket

STDIN, STDOUT, STDERR, ERROR, RESIZE = 0, 1, 2, 3, 4
CLOSE_CHANNEL = 255

V5 = "v5.channel.k8s.io"
V4 = "v4.channel.k8s.io"
# Best first: the server chooses among what the client offers.
PROTOCOLS = (V5, V4, "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io")

DEFAULT_PATH = b"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# After the command exits, output still held open by a process it left behind in the
# background is not waited for longer than this.
OUTPUT_GRACE = 1.0
READ_SIZE = 64 * 1024


def choose_protocol(offered):
    """The subprotocol to answer with, or None when the client offers none we speak.

    A client that names no subprotocol gets the oldest one, as the kubelet does.
    """
    if not offered:
        return "channel.k8s.io"
    for protocol in PROTOCOLS:
        if protocol in offered:
            return protocol
    return None


def success_status():
    return {"metadata": {}, "status": "Success"}


def exit_status(command, code):
    return {
        "metadata": {},
        "status": "Failure",
        "message": "command terminated with non-zero exit code: error executing command %s, exit code %d"
        % (json.dumps(command), code),
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]},
    }


def error_status(message):
    return {"metadata": {}, "status": "Failure", "message": message, "reason": "InternalError"}


def _environment(pid, launch_env=None):
    if launch_env is not None:
        env = {k.encode(): str(v).encode() for k, v in launch_env.items()}
        env.setdefault(b"PATH", DEFAULT_PATH)
        return env
    with open("/proc/%d/environ" % pid, "rb") as handle:
        entries = handle.read().split(b"\0")
    env = {}
    for entry in entries:
        key, sep, value = entry.partition(b"=")
        if sep and key:
            env[key] = value
    env.setdefault(b"PATH", DEFAULT_PATH)
    return env


def enter_argv(pid, command):
    """The host command that runs ``command`` inside the container whose main process is ``pid``, as its user."""
    return identity.enter_argv(pid, ["--all", "--root", "--wd"], command)


def exit_code(returncode):
    """A shell-style exit code: a command killed by signal N ends with 128 + N."""
    return 128 - returncode if returncode < 0 else returncode


class ContainerProcess:
    """A command running inside a container, with the pipes (or terminal) the client asked for.

    ``inputs`` is the fd to write stdin to (None when stdin was not asked for);
    ``outputs`` maps each readable fd to its channel.
    """

    def __init__(self, pid, command, stdin, stdout, stderr, tty, launch_env=None):
        self.command = list(command)
        argv = enter_argv(pid, command)
        env = _environment(pid, launch_env)
        if tty:
            env.setdefault(b"TERM", b"xterm")  # as container runtimes do for a terminal exec
        self.inputs = None
        self.outputs = {}
        self._terminal = None
        if tty:
            master, slave = pty.openpty()
            self._terminal = master
            self.process = subprocess.Popen(
                argv,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=env,
                start_new_session=True,
                preexec_fn=_take_terminal,  # noqa: PLW1509 - the child needs its controlling terminal
            )
            os.close(slave)
            if stdin:
                self.inputs = master
            self.outputs[master] = STDOUT
        else:
            self.process = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                stdout=subprocess.PIPE if stdout else subprocess.DEVNULL,
                stderr=subprocess.PIPE if stderr else subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
            if stdin:
                self.inputs = self.process.stdin.fileno()
            if stdout:
                self.outputs[self.process.stdout.fileno()] = STDOUT
            if stderr:
                self.outputs[self.process.stderr.fileno()] = STDERR
        if self.inputs is not None:
            os.set_blocking(self.inputs, False)
        # Readable when the command has exited: no polling for it.
        try:
            self.exit_fd = os.pidfd_open(self.process.pid)
        except OSError:
            self.exit_fd = None

    def read(self, fd):
        """Bytes from an output fd; b"" at its end (a terminal says EIO once the command is gone)."""
        try:
            return os.read(fd, READ_SIZE)
        except OSError as error:
            if error.errno == errno.EIO:
                return b""
            raise

    def write(self, data):
        """Write what stdin can take now; returns the count, or None when stdin is gone."""
        try:
            return os.write(self.inputs, data)
        except BlockingIOError:
            return 0
        except (BrokenPipeError, OSError):
            return None

    def close_input(self):
        if self.inputs is None:
            return
        if self.inputs != self._terminal:
            try:
                self.process.stdin.close()
            except OSError:
                pass
        else:
            # A terminal has no half-close: send the EOF character, as a user's ^D would.
            try:
                os.write(self._terminal, b"\x04")
            except OSError:
                pass
        self.inputs = None

    def close_output(self, fd):
        channel = self.outputs.pop(fd)
        if fd != self._terminal:
            stream = self.process.stdout if channel == STDOUT else self.process.stderr
            stream.close()
        return channel

    def resize(self, width, height):
        if self._terminal is not None:
            fcntl.ioctl(self._terminal, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))

    def kill(self):
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()

    def close(self):
        for fd in list(self.outputs):
            self.close_output(fd)
        if self.process.stdin:
            try:
                self.process.stdin.close()
            except OSError:
                pass
        if self._terminal is not None:
            os.close(self._terminal)
            self._terminal = None
        if self.exit_fd is not None:
            os.close(self.exit_fd)
            self.exit_fd = None


def _take_terminal():
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def receive(sock):
    """What the client sent next, or b"" once it has gone (a reset counts as gone)."""
    try:
        return sock.recv(READ_SIZE)
    except (OSError, ValueError):
        return b""


class _Abandoned(Exception):
    """The client never opened what the command needs: the exec ends without a status."""


class ExecSession:
    """One exec run to its end on the calling thread; the framing is the subclass's.

    One thread does all the socket I/O (TLS objects must not be read and written from two
    threads at once), multiplexing with select() over the socket and the command's pipes.
    Subclasses turn client bytes into stdin, resize and close events, and send output and
    the status in their own frames.
    """

    def __init__(self, sock, protocol, process, log=None):
        self.sock = sock
        self.protocol = protocol
        self.process = process
        self.client_open = True
        self.stdin_buffer = bytearray()
        self.stdin_closing = False
        self.log = log or (lambda message: None)

    # -- what a framing provides -------------------------------------------------
    def _on_client_bytes(self, data):
        raise NotImplementedError

    def _send_output(self, channel, data):
        """Output of the command on STDOUT/STDERR; empty ``data`` means that output ended."""
        raise NotImplementedError

    def send_status(self, status):
        raise NotImplementedError

    def _streams_open(self):
        """Whether output may flow yet; raises _Abandoned when it never will."""
        return True

    def _on_protocol_error(self, error):
        pass

    # -- events both framings share ------------------------------------------------
    def _take_stdin(self, data):
        if self.process.inputs is not None and data:
            self.stdin_buffer += data

    def _resize(self, size):
        try:
            self.process.resize(int(size.get("Width", 0)), int(size.get("Height", 0)))
        except (ValueError, TypeError, AttributeError, OSError):
            self.log("ignored a resize message that is not {Width, Height}: %r" % (size,))

    def _read_client(self):
        data = receive(self.sock)
        if not data:
            self.client_open = False
            return
        self._on_client_bytes(data)

    def _flush_stdin(self):
        if self.stdin_buffer and self.process.inputs is not None:
            written = self.process.write(bytes(self.stdin_buffer))
            if written is None:
                self.stdin_buffer.clear()
                self.process.inputs = None
            else:
                del self.stdin_buffer[:written]
        if self.stdin_closing and not self.stdin_buffer:
            self.process.close_input()
            self.stdin_closing = False

    # -- the loop ----------------------------------------------------------------
    def run(self):
        """Pump bytes until the command ends (or the client leaves); returns the exit code or None."""
        process = self.process
        exited_at = None
        try:
            while True:
                ready = self._streams_open()
                if ready and process.process.poll() is not None and exited_at is None:
                    exited_at = time.monotonic()
                if exited_at is not None and (not process.outputs or time.monotonic() - exited_at > OUTPUT_GRACE):
                    break
                if not self.client_open:
                    # Nobody will read the output: the command goes, as with a dropped ssh session.
                    process.kill()
                    return None
                readers = [self.sock]
                if ready:
                    readers += list(process.outputs)
                    if exited_at is None and process.exit_fd is not None:
                        readers.append(process.exit_fd)
                writers = [process.inputs] if self.stdin_buffer and process.inputs is not None else []
                timeout = 0 if self.sock.pending() else (0.05 if exited_at else 0.5)
                readable, writable, _ = select.select(readers, writers, [], timeout)
                if self.sock in readable or self.sock.pending():
                    self._read_client()
                for fd in readable:
                    if fd in process.outputs:
                        channel = process.outputs[fd]
                        data = process.read(fd)
                        if not data:
                            process.close_output(fd)
                        self._send_output(channel, data)
                if writable or self.stdin_closing:
                    self._flush_stdin()
            code = exit_code(process.process.wait())
            self.send_status(success_status() if code == 0 else exit_status(process.command, code))
            return code
        except _Abandoned:
            process.kill()
            return None
        except (websocket.ProtocolError, spdy.ProtocolError) as error:
            self.log("closing exec: %s" % error)
            self._on_protocol_error(error)
            process.kill()
            return None
        except OSError as error:
            # The client or the proxy went away mid-stream.
            self.log("exec connection lost: %s" % error)
            process.kill()
            return None
        finally:
            process.close()


class ChannelSession(ExecSession):
    """One exec over an upgraded WebSocket connection: a channel byte starts each message."""

    def __init__(self, sock, protocol, process, log=None):
        super().__init__(sock, protocol, process, log)
        self.decoder = websocket.Decoder()

    # -- sending ---------------------------------------------------------------
    def _send(self, opcode, payload):
        self.sock.sendall(websocket.encode(opcode, payload))

    def send_channel(self, channel, data):
        self._send(websocket.OP_BINARY, bytes([channel]) + data)

    def _send_output(self, channel, data):
        # An ended output gets no v5 close signal: kubectl's client rejects one from the
        # server ("Unknown stream id 255"); the connection's end says it all.
        if data:
            self.send_channel(channel, data)

    def send_status(self, status):
        if self.protocol in (V4, V5):
            self.send_channel(ERROR, json.dumps(status).encode())
        elif status["status"] != "Success":
            # Before v4 the error channel carries a bare message, and nothing on success.
            self.send_channel(ERROR, status["message"].encode())

    def _on_protocol_error(self, error):
        self._try_send(websocket.encode_close(error.code, str(error)))

    # -- receiving -------------------------------------------------------------
    def _on_client_bytes(self, data):
        for opcode, payload in self.decoder.feed(data):
            self._on_message(opcode, payload)

    def _on_message(self, opcode, payload):
        if opcode == websocket.OP_PING:
            self._send(websocket.OP_PONG, payload)
        elif opcode == websocket.OP_CLOSE:
            if self.client_open:
                self._send(websocket.OP_CLOSE, payload[:2])
            self.client_open = False
        elif opcode in (websocket.OP_BINARY, websocket.OP_TEXT) and payload:
            self._on_channel(payload[0], payload[1:])

    def _on_channel(self, channel, data):
        if channel == STDIN:
            self._take_stdin(data)
        elif channel == RESIZE:
            try:
                self._resize(json.loads(data))
            except ValueError:
                self.log("ignored a resize message that is not JSON: %r" % data[:100])
        elif channel == CLOSE_CHANNEL and self.protocol == V5 and data[:1] == bytes([STDIN]):
            self.stdin_closing = True

    def _try_send(self, data):
        try:
            self.sock.sendall(data)
        except (OSError, ValueError):
            pass

    def close(self, linger=2.0):
        """The closing handshake: say goodbye, wait briefly for the client's close, then drop."""
        if self.client_open:
            self._try_send(websocket.encode_close(websocket.CLOSE_NORMAL))
            deadline = time.monotonic() + linger
            while self.client_open and time.monotonic() < deadline:
                try:
                    readable, _, _ = select.select([self.sock], [], [], deadline - time.monotonic())
                    if not readable and not self.sock.pending():
                        break
                    data = self.sock.recv(READ_SIZE)
                    if not data:
                        break
                    for opcode, _payload in self.decoder.feed(data):
                        if opcode == websocket.OP_CLOSE:
                            self.client_open = False
                except (OSError, ValueError, websocket.ProtocolError):
                    break


SPDY_PROTOCOLS = (V4, "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io")
STREAM_CREATION_TIMEOUT = 30.0  # the kubelet's default for the client to open its streams


def choose_spdy_protocol(offered):
    """The X-Stream-Protocol-Version to answer an SPDY upgrade with, or None.

    Over SPDY the kubelet speaks up to v4 (the API server also offers v5, which over
    SPDY means the same as v4: SPDY has its own half-close).
    """
    for protocol in SPDY_PROTOCOLS:
        if protocol in offered:
            return protocol
    return None


class SpdySession(ExecSession):
    """One exec over an upgraded SPDY/3.1 connection (the API server is the client).

    The client opens a stream per channel (``streamtype`` error, stdin, stdout, stderr,
    resize); the command's output flows once the streams it asked for are open.
    """

    def __init__(self, sock, protocol, process, expected, log=None):
        super().__init__(sock, protocol, process, log)
        self.expected = set(expected)  # stream types that must be open before output flows
        self.opened_by = time.monotonic() + STREAM_CREATION_TIMEOUT
        self.decoder = spdy.Decoder()
        self.codec = spdy.HeaderCodec()
        self.streams = {}  # stream type -> stream id
        self.finished = set()  # stream ids we have half-closed
        self.resize_buffer = b""
        self.last_stream = 0

    # -- sending ---------------------------------------------------------------
    def _send_data(self, kind, data, fin=False):
        stream_id = self.streams.get(kind)
        if stream_id is None or stream_id in self.finished:
            return
        self.sock.sendall(spdy.data(stream_id, data, fin))
        if fin:
            self.finished.add(stream_id)

    def _send_output(self, channel, data):
        self._send_data("stdout" if channel == STDOUT else "stderr", data, fin=not data)

    def send_status(self, status):
        if self.protocol == V4:
            self._send_data("error", json.dumps(status).encode())
        elif status["status"] != "Success":
            self._send_data("error", status["message"].encode())

    def _streams_open(self):
        if self.expected <= set(self.streams):
            return True
        if time.monotonic() > self.opened_by:
            self.log("exec: the client opened %s of the streams %s" % (sorted(self.streams), sorted(self.expected)))
            raise _Abandoned()
        return False

    # -- receiving -------------------------------------------------------------
    def _on_client_bytes(self, data):
        for frame in self.decoder.feed(data):
            self._on_frame(frame)

    def _on_frame(self, frame):
        if frame.kind == spdy.SYN_STREAM:
            kind = spdy.syn_stream_headers(frame, self.codec).get("streamtype", "")
            self.streams[kind] = frame.stream_id
            self.last_stream = max(self.last_stream, frame.stream_id)
            self.sock.sendall(spdy.syn_reply(frame.stream_id, self.codec))
            if frame.fin:
                self._on_remote_close(kind)
        elif frame.kind is None:
            kind = self._kind_of(frame.stream_id)
            if kind == "stdin":
                self._take_stdin(frame.payload)
            elif kind == "resize":
                self._on_resize(frame.payload)
            if frame.fin:
                self._on_remote_close(kind)
        elif frame.kind == spdy.RST_STREAM:
            self._on_remote_close(self._kind_of(frame.stream_id))
        elif frame.kind == spdy.PING:
            self.sock.sendall(spdy.ping(frame))
        elif frame.kind == spdy.GOAWAY:
            self.client_open = False
        # SETTINGS, HEADERS, WINDOW_UPDATE: nothing to do (no flow control, see spdy.py).

    def _kind_of(self, stream_id):
        for kind, known in self.streams.items():
            if known == stream_id:
                return kind
        return None

    def _on_remote_close(self, kind):
        if kind == "stdin":
            self.stdin_closing = True

    def _on_resize(self, data):
        # A stream of JSON objects {"Width": w, "Height": h}, not delimited otherwise.
        self.resize_buffer += data
        decoder = json.JSONDecoder()
        text = self.resize_buffer.decode(errors="replace").lstrip()
        while text:
            try:
                size, end = decoder.raw_decode(text)
            except ValueError:
                break
            text = text[end:].lstrip()
            self._resize(size)
        self.resize_buffer = text.encode()

    def close(self):
        """Half-close every stream we write to, say GOAWAY, drop the connection."""
        try:
            for kind in list(self.streams):
                self._send_data(kind, b"", fin=True)
            self.sock.sendall(spdy.goaway(self.last_stream))
        except (OSError, ValueError):
            pass
