# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Seed a replica with a copy of its source: a streamed ``mariadb-backup`` (MariaDB) or the
clone plugin (MySQL), into ``<volume>/seed`` beside the datadir, on the replica's own claim.

MariaDB: the module opens two exec streams through the API server, one in the source pod
running ``mariadb-backup --backup --stream=xbstream`` and one in the replica pod running
``mbstream -x`` into the seed folder, and relays one into the other. No listener, no extra
port, no pod-to-pod route needed: only the exec rights the module has anyway. API servers
before 1.29 cannot close an exec's stdin, so the relay frames the binary stream: each
frame is its length on a line, then that many bytes (read with ``dd iflag=fullblock``,
which never reads past them), and a ``0`` line ends it. The password goes on stdin into a
mode-600 defaults file, as for the client. Then, in the replica: ``mariadb-backup
--prepare``.

MySQL: the replica's server copies the source itself (``CLONE INSTANCE FROM ... DATA
DIRECTORY``, statements in sql.py), over the MySQL protocol from the source's server,
with the replication account (the password in the SQL, on the client's stdin). The copy
is consistent and carries the source's ``gtid_executed``; it needs no prepare.

Then, for both: a ``.prepared`` mark (``keep``: move the replaced datadir aside;
``discard``: it was empty), and the pod is deleted: its init container swaps the copy in
before the server starts (the server must not run while its datadir changes). The module
waits for the new pod's server, reads the GTID position the copy holds and attaches the
replica from there.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s.deadline import poll
from ansible_collections.stateful.kube.plugins.module_utils.k8s.exec import pump
from ansible_collections.stateful.kube.plugins.module_utils.mysql import sql
from ansible_collections.stateful.kube.plugins.module_utils.mysql.transport import MemberError, cnf_escape, execute

VOLUME = "/var/lib/mysql-volume"
SEED_DIR = VOLUME + "/seed"
BINLOG_INFO = ("/var/lib/mysql/mariadb_backup_binlog_info", "/var/lib/mysql/xtrabackup_binlog_info")

_DEFAULTS = ('umask 077; f="$(mktemp)"; trap \'rm -f "$f"\' EXIT; IFS= read -r user; IFS= read -r pw; '
             'printf "[client]\\nuser=%s\\npassword=\\"%s\\"\\n" "$user" "$pw" > "$f"; ')
BACKUP_SCRIPT = _DEFAULTS + (
    't="$(mktemp -d)"; '
    'mariadb-backup --defaults-extra-file="$f" --backup --stream=xbstream --protocol=tcp --host=127.0.0.1 '
    '--port="$0" --target-dir="$t" 2>"$t.log"; status=$?; '
    'grep -q "completed OK" "$t.log" || { tail -n 5 "$t.log" >&2; status=1; }; rm -rf "$t" "$t.log"; exit $status'
)
RECEIVE_SCRIPT = ('rm -rf "%s" && mkdir -p "%s" && '
                  '{ while IFS= read -r n && [ "$n" -gt 0 ]; do dd bs="$n" count=1 iflag=fullblock status=none '
                  '|| exit 1; done; } | mbstream -x -C "%s" && echo STREAMED' % (SEED_DIR, SEED_DIR, SEED_DIR))
PREPARE_SCRIPT = 'mariadb-backup --prepare --target-dir="%s" 2>&1 | tail -n 3' % SEED_DIR
# Bytes per frame. Each frame costs the receiver one dd process: 1 MiB frames (about 1,200
# for a 1.2 GiB backup) made the relay a fifth slower than 8 MiB ones (bench/mysql_seed:
# 10.6 s against 8.6 s to stream). 8 MiB keeps the module's buffer small; each frame is one
# stdin message, which the MySQL integration tests pass through a 1.37 API server's exec.
FRAME = 8 << 20


def frame(data):
    """One frame of the relay: the length on a line, then the bytes (``b"0\\n"`` ends the stream)."""
    return b"%d\n" % len(data) + data


class SeedError(Exception):
    pass


def stream_backup(transport, source, replica, user, password, deadline):
    """Relay ``source``'s backup into ``replica``'s seed folder; returns the bytes relayed."""
    receiver = transport.open(replica, ["sh", "-c", RECEIVE_SCRIPT], timeout=deadline.remaining(), binary=True)
    sender = transport.open(source, ["sh", "-c", BACKUP_SCRIPT, str(source.port)], timeout=deadline.remaining(),
                            binary=True)
    relayed, pending, sender_err, receiver_out, receiver_err = [0], [], [], [], []

    def forward(chunk, flush=False):
        relayed[0] += len(chunk)
        pending.append(chunk)
        if flush or sum(len(c) for c in pending) >= FRAME:
            data = b"".join(pending)
            del pending[:]
            if data:
                receiver.write_stdin(frame(data))

    try:
        sender.write_stdin(("%s\n%s\n" % (user, cnf_escape(password))).encode("utf-8"))
        while sender.is_open():
            if deadline.expired():
                raise SeedError("streaming %s's backup into %s did not finish before the deadline (%d bytes relayed)"
                                % (source.name, replica.name, relayed[0]))
            pump(sender, forward, sender_err.append, timeout=1)
            if receiver.peek_stderr():
                receiver_err.append(receiver.read_stderr())
        pump(sender, forward, sender_err.append)  # what was left in the buffers when the sender closed
        forward(b"", flush=True)
        receiver.write_stdin(b"0\n")
        while receiver.is_open() and not deadline.expired():
            pump(receiver, receiver_out.append, receiver_err.append, timeout=1)
    finally:
        sender.close()
        receiver.close()
    said = b"".join(receiver_out).decode("utf-8", "replace")
    if "STREAMED" not in said:
        raise SeedError("the backup of %s did not arrive whole in %s: %s%s" % (
            source.name, replica.name, b"".join(sender_err).decode("utf-8", "replace").strip()[-400:],
            (" / " + b"".join(receiver_err).decode("utf-8", "replace").strip()[-400:]) if receiver_err else ""))
    return relayed[0]


def prepare(transport, replica, deadline):
    """Apply the copied redo log in the replica pod (MariaDB)."""
    out, err = transport.exec(replica, ["sh", "-c", PREPARE_SCRIPT], "", deadline.remaining())
    if "completed OK" not in out + err:
        raise SeedError("mariadb-backup --prepare failed in %s: %s" % (replica.name, (out + err).strip()[-400:]))


def clone(transport, source, replica, user, password, deadline):
    """Have ``replica``'s server copy ``source`` into its seed folder with the clone plugin (MySQL).

    The statement lasts as long as the copy: it gets what is left of the run's deadline.
    A refusal (versions or plugins that differ, an account without BACKUP_ADMIN on the
    source, no room on the volume...) is a SeedError with the server's own words.
    """
    transport.exec(replica, ["sh", "-c", 'rm -rf "%s"' % SEED_DIR], "", 30)  # a copy left by a failed run
    try:
        execute(transport, replica, sql.clone(source.host, source.port, user, password, SEED_DIR),
                timeout=max(1.0, deadline.remaining()))
    except MemberError as e:
        raise SeedError(
            "CLONE of %s into %s failed: %s. Nothing was swapped in: %s still runs on its own data. Check that "
            "both run the same MySQL 8.4 series with the clone plugin active (SHOW PLUGINS), that %s reaches %s:%d "
            "and that %s's volume has room for a copy of %s's data; then run again"
            % (source.name, replica.name, e, replica.name, replica.name, source.host, source.port, replica.name,
               source.name)) from e
    # The server makes the copy's schema folders (mysql's among them) only when it first
    # starts on it; the mysql image's entrypoint takes a datadir without a mysql folder for
    # a new one, and would try to initialize it (and fail: it is not empty).
    transport.exec(replica, ["sh", "-c", 'mkdir -p "%s/mysql"' % SEED_DIR], "", 30)


def mark_ready(transport, replica, replaces_data):
    """Mark the seed folder's copy ready for the init container (``keep`` the datadir it replaces, or not)."""
    mark = "keep" if replaces_data else "discard"
    transport.exec(replica, ["sh", "-c", 'printf %%s %s > "%s/.prepared"' % (mark, SEED_DIR)], "", 30)


def backup_position(transport, replica):
    """The GTID position the backup recorded (now in the replica's datadir)."""
    out, _err = transport.exec(replica, ["sh", "-c", "cat %s 2>/dev/null | head -n 1" % " ".join(BINLOG_INFO)], "",
                               30)
    fields = out.strip().split("\t")
    if len(fields) < 3:
        raise SeedError("%s has no backup position after the seed (%r)" % (replica.name, out.strip()[:200]))
    return fields[2]


def wait_answering(transport, member, deadline, interval=1.0):
    """Poll until the (re-created) server answers; the last MemberError at the deadline."""
    failure = {}

    def answers():
        try:
            transport.query(member, [("ping", "SELECT 1 AS ok")], timeout=min(20, deadline.remaining() + 1))
            return None
        except MemberError as e:
            failure["error"] = e
            return str(e)

    if poll(answers, deadline, interval) is not None:
        raise failure["error"]
