# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``exec`` transport: ``redis-cli`` inside each pod, through the API server's exec.

One exec per call. The password travels on the exec's stdin, is read by the shell into
``REDISCLI_AUTH`` and never appears on a command line (``ps`` in the pod shows only the
script below). The commands follow on stdin too (so a MIGRATE ... AUTH password is never
an argument either), each followed by an ``ECHO`` of a marker that splits the output back
into one reply per command. ``head -n`` gives redis-cli its end of input: the exec
protocol of older API servers cannot close stdin.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
import uuid

from ansible_collections.stateful.kube.plugins.module_utils.k8s.exec import ExecFailed, PodExec
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.errors import MemberError, ReplyError

SCRIPT = 'read -r REDISCLI_AUTH; export REDISCLI_AUTH; read -r n; head -n "$n" | exec redis-cli -p "$0" --json "$@"'

# redis-cli prints these replies as plain text even with --json (and their errors without "error:").
RAW_COMMANDS = {"INFO", "CLUSTER INFO", "CLUSTER NODES", "CLIENT LIST"}
RAW_ERROR = re.compile(r"^[A-Z]+ ")


class ExecTransport:
    name = "exec"

    def __init__(self, api_client, namespace, container=None, password=None, timeout=10.0, tls_ca_path=None):
        self.pod_exec = PodExec(api_client, namespace, container)
        self.namespace = namespace
        self.container = container
        self.password = password or ""
        self.timeout = timeout
        # TLS: redis-cli in the pod checks the members' certificate against this CA file in the pod.
        self.cli_args = ["--tls", "--cacert", tls_ca_path] if tls_ca_path else []

    def call(self, member, commands, timeout=None):
        timeout = timeout or self.timeout
        marker = "stateful-kube-%s" % uuid.uuid4().hex
        lines = []
        for command in commands:
            lines.append(quote_command(command))
            lines.append(quote_command(["ECHO", marker]))
        stdin = "%s\n%d\n%s\n" % (self.password, len(lines), "\n".join(lines))
        stdout, stderr = self._exec(member, ["sh", "-c", SCRIPT, str(member.port)] + self.cli_args, stdin, timeout)
        if "AUTH failed" in stderr:
            raise MemberError(member.name, "auth", "redis-cli in pod %s: %s" % (member.pod, stderr.strip()))
        if "Could not connect" in stderr:
            raise MemberError(member.name, "unreachable", "redis-cli in pod %s: %s" % (member.pod, stderr.strip()))
        chunks = split_replies(stdout, marker)
        if len(chunks) != len(commands):
            raise incomplete(member, len(chunks), len(commands), stdout, stderr)
        return [parse_reply(commands[i], chunk) for i, chunk in enumerate(chunks)]

    def close(self):
        """Nothing to close: every call is its own exec."""

    def write_file(self, member, path, content, timeout=None):
        """Write ``content`` (one line, no newline) to ``path`` in the pod, mode 600, atomically, via stdin."""
        script = 'umask 077; read -r value; printf "%s" "$value" > "$0.new" && mv -f "$0.new" "$0" && echo written'
        stdout, stderr = self._exec(member, ["sh", "-c", script, path], content + "\n", timeout or self.timeout)
        if "written" not in stdout:
            raise MemberError(member.name, "transient", "could not write %s in pod %s: %s"
                              % (path, member.pod, (stderr or stdout).strip()[-300:]))

    def _exec(self, member, argv, stdin, timeout):
        try:
            return self.pod_exec.run(member.pod, argv, stdin, timeout,
                                     who="redis-cli in pod %s/%s" % (self.namespace, member.pod))
        except ExecFailed as e:
            raise MemberError(member.name, e.kind, str(e)) from e


def incomplete(member, answered, sent, stdout, stderr):
    """The MemberError for an exec that did not answer every command, saying what it saw.

    Only a redis-cli that does not know ``--json`` (older than Redis 7) is a protocol
    problem; anything else (a member still loading its data, whose ECHO markers are refused
    too; a stream cut by the API server) is transient and worth a retry.
    """
    raw = "stdout: %r; stderr: %r" % (stdout.strip()[-300:], stderr.strip()[-300:])
    if "Unrecognized option" in stderr or "--json" in stderr:
        return MemberError(member.name, "protocol", "redis-cli in pod %s does not know --json (%s)" % (member.pod, raw))
    if "LOADING" in stdout or "LOADING" in stderr:
        return MemberError(member.name, "transient", "%s is loading its data set (%s)" % (member.pod, raw))
    return MemberError(member.name, "transient", "the exec in pod %s ended after %d of %d replies (%s)"
                       % (member.pod, answered, sent, raw))


def quote_command(command):
    """One command as a line redis-cli splits back into the same arguments (double-quoted, escaped)."""
    return " ".join(_quote(arg) for arg in command)


def _quote(arg):
    if isinstance(arg, bytes):
        arg = arg.decode("utf-8", "surrogateescape")
    arg = str(arg)
    out = []
    for char in arg:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif code < 32 or code == 127:
            out.append("\\x%02x" % code)
        elif 0xDC80 <= code <= 0xDCFF:  # a raw byte kept by surrogateescape
            out.append("\\x%02x" % (code - 0xDC00))
        else:
            out.append(char)
    return '"%s"' % "".join(out)


def split_replies(stdout, marker):
    """The text of each reply, cut at the marker's echo lines."""
    chunks = []
    current = []
    echo = json.dumps(marker)
    for line in stdout.split("\n"):
        if line == echo:
            chunks.append("\n".join(current))
            current = []
        else:
            current.append(line)
    return chunks


def parse_reply(command, chunk):
    """One reply of ``redis-cli --json`` as a Python value (ReplyError for an error)."""
    name = " ".join(str(arg) for arg in command[:2]).upper()
    if name in RAW_COMMANDS or str(command[0]).upper() in RAW_COMMANDS:
        if "\n" not in chunk.strip() and RAW_ERROR.match(chunk.strip()):
            return ReplyError(chunk.strip())
        return chunk
    if chunk.startswith("error:"):
        return ReplyError(json.loads(chunk[len("error:"):]))
    if chunk == "":
        return None
    return json.loads(chunk)
