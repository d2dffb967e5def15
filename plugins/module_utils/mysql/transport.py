# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the module talks to each server: ``exec`` (the server's own client inside the pod,
through the API server) or ``direct`` (PyMySQL to the pod's IP). Both answer
``query(member, [(name, sql)])`` with ``{name: [row]}`` (values ``str`` or ``None``) and
raise ``MemberError`` (with a ``kind``: auth, unreachable, sql, timeout) when the server
cannot be asked.

Passwords never appear on a command line: the exec transport sends the password as the
first line of stdin; a small shell script writes it into a mode-600 defaults file under
/tmp that the client reads (and removes it afterwards). The queries follow on stdin, and
``head -n`` ends the client's input (API servers before 1.29 cannot close an exec's stdin).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.stateful.kube.plugins.module_utils.k8s.exec import ExecFailed, PodExec
from ansible_collections.stateful.kube.plugins.module_utils.mysql import replies

try:
    import pymysql
    import pymysql.cursors
    HAS_PYMYSQL = True
except ImportError:
    pymysql = None
    HAS_PYMYSQL = False

AUTH_ERRORS = (1045, 1698)
# Writes the client's defaults file from stdin's first line, runs the client on the next $1 lines.
CLIENT_SCRIPT = (
    'umask 077; f="$(mktemp)"; trap \'rm -f "$f"\' EXIT; IFS= read -r user; IFS= read -r pw; '
    'printf "[client]\\nuser=%s\\npassword=\\"%s\\"\\n" "$user" "$pw" > "$f"; IFS= read -r n; '
    'client="$(command -v mariadb || command -v mysql)"; '
    'head -n "$n" | "$client" --defaults-extra-file="$f" --protocol=tcp -h127.0.0.1 -P"$0" --batch; '
    'status=$?; rm -f "$f"; exit $status'
)
ERROR_LINE = re.compile(r"ERROR (\d+) \(\w+\)(?: at line \d+)?: (.*)")


class MemberError(Exception):
    def __init__(self, member, kind, message):
        super(MemberError, self).__init__(message)
        self.member = member
        self.kind = kind


def cnf_escape(text):
    """A value for a double-quoted my.cnf option (the client unescapes \\\\ and \\")."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


class ExecTransport:
    name = "exec"

    def __init__(self, api_client, namespace, container, user, password, timeout=30.0):
        self.pod_exec = PodExec(api_client, namespace, container)
        self.namespace = namespace
        self.container = container
        self.user = user
        self.password = password
        self.timeout = timeout

    def query(self, member, queries, timeout=None):
        text = replies.script(queries)
        lines = text.count("\n")
        stdin = "%s\n%s\n%d\n%s" % (self.user, cnf_escape(self.password), lines, text)
        stdout, stderr = self.exec(member, ["sh", "-c", CLIENT_SCRIPT, str(member.port)], stdin,
                                   timeout or self.timeout)
        found = ERROR_LINE.search(stderr)
        if found:
            code = int(found.group(1))
            kind = "auth" if code in AUTH_ERRORS else ("unreachable" if code in (2002, 2003, 2013) else "sql")
            raise MemberError(member.name, kind, "%s: error %d: %s" % (member.name, code, found.group(2)))
        if stderr.strip() and not stdout:
            raise MemberError(member.name, "unreachable", "%s: %s" % (member.name, stderr.strip()[-400:]))
        return replies.parse_batch(stdout)

    def open(self, member, argv, timeout=None, binary=False):
        """An exec stream to ``member``'s server container (the caller reads and writes it)."""
        try:
            return self.pod_exec.open(member.pod, argv, timeout or self.timeout, binary=binary)
        except ExecFailed as e:
            raise MemberError(member.name, e.kind, str(e)) from e

    def exec(self, member, argv, stdin, timeout):
        """``(stdout, stderr)`` of ``argv`` in the pod, ``stdin`` fed first."""
        try:
            return self.pod_exec.run(member.pod, argv, stdin, timeout, who=member.name)
        except ExecFailed as e:
            raise MemberError(member.name, e.kind, str(e)) from e

    def close(self):
        pass


class DirectTransport:
    name = "direct"

    def __init__(self, user, password, timeout=30.0):
        self.user = user
        self.password = password
        self.timeout = timeout
        self._connections = {}

    def _connect(self, member):
        if member.name not in self._connections:
            try:
                self._connections[member.name] = pymysql.connect(
                    host=member.ip or member.host, port=member.port, user=self.user, password=self.password,
                    connect_timeout=min(10, self.timeout), read_timeout=self.timeout, write_timeout=self.timeout,
                    autocommit=True)
            except pymysql.err.OperationalError as e:
                code = e.args[0] if e.args else 0
                kind = "auth" if code in AUTH_ERRORS else "unreachable"
                raise MemberError(member.name, kind, "%s: error %s: %s" % (member.name, code, e.args[-1])) from e
        return self._connections[member.name]

    def query(self, member, queries, timeout=None):
        connection = self._connect(member)
        result = {}
        try:
            with connection.cursor(pymysql.cursors.DictCursor) as cursor:
                for name, sql in queries:
                    cursor.execute(sql)
                    result[name] = [replies.normalize_row(row) for row in (cursor.fetchall() or [])]
        except pymysql.err.MySQLError as e:
            self._connections.pop(member.name, None)
            code = e.args[0] if e.args else 0
            raise MemberError(member.name, "sql", "%s: error %s: %s" % (member.name, code, e.args[-1])) from e
        return result

    def close(self):
        for connection in self._connections.values():
            try:
                connection.close()
            except Exception:  # noqa: BLE001 - closing a broken connection
                pass
        self._connections = {}


def execute(transport, member, statements, timeout=None):
    """Run statements (no rows wanted) in one round trip."""
    transport.query(member, [("s%d" % i, sql) for i, sql in enumerate(statements)], timeout)
