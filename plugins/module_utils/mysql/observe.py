# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What one server says about itself, parsed from its replies to ``queries.OBSERVE`` (pure)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.mysql.gtid import MariaState, MysqlSet


class Member:
    """One server of the set: a pod (or, in tests, a local process) and how peers reach it.

    ``host`` is what replicas put in CHANGE MASTER (the pod's stable DNS name under the
    headless Service); ``aliases`` are other names a replica's source may be recorded
    under (the pod IP), so that such a replica still counts as ours.
    """

    def __init__(self, name, ordinal, host, port=3306, ip=None, pod=None, primary_label=False, role_label=None):
        self.name = name
        self.ordinal = ordinal
        self.host = host
        self.port = int(port)
        self.ip = ip
        self.aliases = tuple(a for a in (ip, name) if a)
        self.pod = pod
        self.primary_label = primary_label
        self.role_label = role_label  # what the pod's role label says now (primary, replica or None)

    def answers_to(self, host, port):
        return int(port or 0) == self.port and host in (self.host,) + self.aliases

    def __repr__(self):
        return "Member(%s at %s:%d)" % (self.name, self.host, self.port)


class Replication:
    """A server's replica status (one connection), with both servers' column names."""

    def __init__(self, row):
        def get(*names):
            for name in names:
                if name in row:
                    return row[name]
            return None

        self.source_host = get("Source_Host", "Master_Host") or ""
        self.source_port = int(get("Source_Port", "Master_Port") or 0)
        self.io_running = get("Replica_IO_Running", "Slave_IO_Running") or "No"
        self.sql_running = get("Replica_SQL_Running", "Slave_SQL_Running") or "No"
        lag = get("Seconds_Behind_Source", "Seconds_Behind_Master")
        self.lag = int(lag) if lag not in (None, "", "NULL") else None
        self.io_errno = int(get("Last_IO_Errno") or 0)
        self.io_error = get("Last_IO_Error") or ""
        self.sql_errno = int(get("Last_SQL_Errno") or 0)
        self.sql_error = get("Last_SQL_Error") or ""
        self.using_gtid = get("Using_Gtid", "Auto_Position") or ""
        self.source_server_id = int(get("Source_Server_Id", "Master_Server_Id") or 0)

    @property
    def running(self):
        return self.io_running == "Yes" and self.sql_running == "Yes"

    @property
    def last_error(self):
        """The error that stopped (or stalls) replication, as the server worded it; '' if none."""
        if self.sql_errno:
            return "SQL thread error %d: %s" % (self.sql_errno, self.sql_error)
        if self.io_errno:
            return "IO thread error %d: %s" % (self.io_errno, self.io_error)
        return ""

    def facts(self):
        return {"source": "%s:%d" % (self.source_host, self.source_port), "io_running": self.io_running,
                "sql_running": self.sql_running, "lag_seconds": self.lag, "last_error": self.last_error}


class ServerState:
    """A server's version, identity, positions, purged transactions and replication."""

    def __init__(self, member, flavor, variables, replica_rows, first_binlog_rows=None):
        self.member = member
        self.flavor = flavor
        self.version = variables["version"]
        self.server_id = int(variables["server_id"])
        self.read_only = variables["read_only"] in ("1", "ON")
        if flavor == "mysql":
            self.read_only = self.read_only or variables.get("super_read_only") in ("1", "ON")
            self.executed = MysqlSet.parse(variables["gtid_executed"])
            # What the server itself logged (history) and what it lacks in its binary logs.
            self.history = self.executed
            self.purged = MysqlSet.parse(variables["gtid_purged"])
            self.position = self.executed
        else:
            self.position = MariaState.parse(variables["gtid_current_pos"])
            self.binlog_pos = MariaState.parse(variables["gtid_binlog_pos"])
            self.slave_pos = MariaState.parse(variables["gtid_slave_pos"])
            self.history = MariaState.parse(variables["gtid_binlog_state"]).union(self.slave_pos)
            self.purged = _gtid_list(first_binlog_rows or [])
        self.log_bin = variables.get("log_bin") in ("1", "ON")
        self.replication = Replication(replica_rows[0]) if replica_rows else None

    @classmethod
    def from_replies(cls, member, flavor, replies):
        """From ``{query name: [row]}`` (see replies.py)."""
        return cls(member, flavor, replies["variables"][0], replies.get("replica") or [],
                   replies.get("first_binlog") or [])

    @property
    def name(self):
        return self.member.name

    @property
    def empty(self):
        """No transaction ever logged or applied: a fresh server (users made at init are not logged)."""
        return not self.position and not self.history

    @property
    def replicating(self):
        """Configured to replicate from somewhere (running or not)."""
        return self.replication is not None and bool(self.replication.source_host)

    def missing_from(self, source):
        """Transactions this server has and ``source`` lacks (a diverged replica), as text; '' if none."""
        return str(self.history.missing(source.history))

    def covered_by(self, source):
        """True when ``source``'s binary logs still hold everything this server lacks."""
        return self.position.covers(source.purged)

    def facts(self):
        facts = {"name": self.name, "ordinal": self.member.ordinal, "version": self.version,
                 "server_id": self.server_id, "read_only": self.read_only, "gtid_position": str(self.position),
                 "replication": self.replication.facts() if self.replicating else None}
        return facts


def _gtid_list(rows):
    """The Gtid_list event of the oldest binary log: the state when it began, i.e. what is purged."""
    for row in rows:
        if row.get("Event_type") == "Gtid_list":
            return MariaState.parse(row.get("Info"))
    return MariaState()
