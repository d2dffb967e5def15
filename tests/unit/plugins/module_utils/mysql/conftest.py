"""The servers' replies, loaded as observe would: captured from real mariadbd 10.11 processes
(fixtures/*.json), and, for the mysql flavor, written in the shape MySQL 8.4's ``mysql --batch``
prints (no MySQL server runs here to capture them)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest

from ansible_collections.stateful.kube.plugins.module_utils.mysql.observe import Member, ServerState
from ansible_collections.stateful.kube.plugins.module_utils.mysql.replies import parse_batch

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def load_set(name, label=None):
    """``(members, states, raw)`` of fixtures/<name>.json; ``label`` moves the primary label to that ordinal."""
    with open(os.path.join(HERE, name + ".json")) as f:
        raw = json.load(f)
    members = []
    for m in raw["members"]:
        primary = m["primary_label"] if label is None else m["ordinal"] == label
        members.append(Member(m["name"], m["ordinal"], m["host"], m["port"], primary_label=primary,
                              role_label="primary" if primary else "replica"))
    states = {m.name: ServerState.from_replies(m, raw["flavor"], parse_batch(raw["observed"][m.name]))
              for m in members}
    return members, states, raw


@pytest.fixture
def server_set():
    """``server_set("complete")`` -> ``(members, states, raw)``: a fresh copy each call."""
    return load_set


# SHOW REPLICA STATUS of MySQL 8.4, its columns in the server's order.
MYSQL84_REPLICA_COLUMNS = (
    "Replica_IO_State", "Source_Host", "Source_User", "Source_Port", "Connect_Retry", "Source_Log_File",
    "Read_Source_Log_Pos", "Relay_Log_File", "Relay_Log_Pos", "Relay_Source_Log_File", "Replica_IO_Running",
    "Replica_SQL_Running", "Replicate_Do_DB", "Replicate_Ignore_DB", "Replicate_Do_Table", "Replicate_Ignore_Table",
    "Replicate_Wild_Do_Table", "Replicate_Wild_Ignore_Table", "Last_Errno", "Last_Error", "Skip_Counter",
    "Exec_Source_Log_Pos", "Relay_Log_Space", "Until_Condition", "Until_Log_File", "Until_Log_Pos",
    "Source_SSL_Allowed", "Source_SSL_CA_File", "Source_SSL_CA_Path", "Source_SSL_Cert", "Source_SSL_Cipher",
    "Source_SSL_Key", "Seconds_Behind_Source", "Source_SSL_Verify_Server_Cert", "Last_IO_Errno", "Last_IO_Error",
    "Last_SQL_Errno", "Last_SQL_Error", "Replicate_Ignore_Server_Ids", "Source_Server_Id", "Source_UUID",
    "Source_Info_File", "SQL_Delay", "SQL_Remaining_Delay", "Replica_SQL_Running_State", "Source_Retry_Count",
    "Source_Bind", "Last_IO_Error_Timestamp", "Last_SQL_Error_Timestamp", "Source_SSL_Crl", "Source_SSL_Crlpath",
    "Retrieved_Gtid_Set", "Executed_Gtid_Set", "Auto_Position", "Replicate_Rewrite_DB", "Channel_Name",
    "Source_TLS_Version", "Source_public_key_path", "Get_Source_public_key", "Network_Namespace")
PRIMARY_UUID = "3e11fa47-71ca-11e1-9e33-c80aa9429562"


def _batch(value):
    """A value as ``--batch`` prints it (NULL, and tab, newline and backslash escaped)."""
    if value is None:
        return "NULL"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def mysql84_reply(server_id, executed, purged="", read_only=True, source=None, io="Yes", sql="Yes",
                  io_errno=0, io_error="", version="8.4.3"):
    """What the exec transport reads from a MySQL 8.4 server for queries.MYSQL.

    ``executed``/``purged`` as the server prints them (a set of several UUIDs has a newline
    after each comma); ``source``: the ``host:port`` it replicates from, or None.
    """
    flag = "1" if read_only else "0"
    lines = ["@@stateful", "variables",
             "version\tserver_id\tread_only\tsuper_read_only\tlog_bin\tgtid_mode\tgtid_executed\tgtid_purged",
             "\t".join(_batch(v) for v in (version, server_id, flag, flag, "1", "ON", executed, purged)),
             "@@stateful", "replica"]
    if source:
        host, port = source.rsplit(":", 1)
        row = dict.fromkeys(MYSQL84_REPLICA_COLUMNS, "")
        row.update(Source_Host=host, Source_User="replication", Source_Port=port, Connect_Retry="5",
                   Replica_IO_Running=io, Replica_SQL_Running=sql, Last_Errno="0", Skip_Counter="0",
                   Seconds_Behind_Source="0" if io == sql == "Yes" else None, Last_IO_Errno=str(io_errno),
                   Last_IO_Error=io_error, Last_SQL_Errno="0", Source_Server_Id="100", Source_UUID=PRIMARY_UUID,
                   Auto_Position="1", Executed_Gtid_Set=executed, Source_Retry_Count="10", SQL_Delay="0",
                   Get_Source_public_key="1")
        lines += ["\t".join(MYSQL84_REPLICA_COLUMNS), "\t".join(_batch(row[c]) for c in MYSQL84_REPLICA_COLUMNS)]
    return "\n".join(lines) + "\n"


def load_mysql_set(servers):
    """``(members, states)`` of StatefulSet ``mysql`` (pods ``mysql-<n>`` under Service ``mysql``, port 3306)
    from ``{ordinal: mysql84_reply(...) keyword arguments}``; the lowest ordinal carries the primary label."""
    members, states = [], {}
    for ordinal in sorted(servers):
        name = "mysql-%d" % ordinal
        member = Member(name, ordinal, "%s.mysql" % name, 3306, ip="10.244.1.%d" % (10 + ordinal), pod=name,
                        primary_label=ordinal == min(servers), role_label="primary" if ordinal == min(servers)
                        else "replica")
        members.append(member)
        reply = mysql84_reply(100 + ordinal, **servers[ordinal])
        states[name] = ServerState.from_replies(member, "mysql", parse_batch(reply))
    return members, states


@pytest.fixture
def mysql_set():
    """``mysql_set({0: dict(executed=...), 1: ...})`` -> ``(members, states)`` of a MySQL 8.4 set."""
    return load_mysql_set
