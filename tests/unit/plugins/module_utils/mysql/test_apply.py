"""Seeding a replica, with fakes at the transport seam: the real exec transport, and behind it a
fake pod exec that answers the client's script the way ``mysql --batch`` does."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import yaml

from ansible_collections.stateful.kube.plugins.module_utils.k8s.deadline import Deadline
from ansible_collections.stateful.kube.plugins.module_utils.mysql import apply as applying
from ansible_collections.stateful.kube.plugins.module_utils.mysql import seed
from ansible_collections.stateful.kube.plugins.module_utils.mysql.observe import Member
from ansible_collections.stateful.kube.plugins.module_utils.mysql.transport import CLIENT_SCRIPT, ExecTransport
from ansible_collections.stateful.kube.plugins.modules import mysql_replication_bootstrap as module

ROOT_PASSWORD = 'r00t"pw'
REPLICATION_PASSWORD = "r3pl'pw\\x"
POSITION = "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-120"
# What the module documents of each ``seeded`` entry (RETURN): the code must return exactly that.
DOCUMENTED = set(yaml.safe_load(module.RETURN)["seeded"]["contains"])
ACTION = {"action": "seed", "member": "mysql-3", "source": "mysql-0", "replaces_data": False, "why": "test"}


class FakePods:
    """The pods behind PodExec: the client's script is answered statement by statement as
    ``mysql --batch`` prints it (stopping at the statement ``fail`` names, with its error on
    stderr); a shell command answers nothing. Everything asked is logged in ``events``."""

    def __init__(self, events, answers, fail=None):
        self.events = events
        self.answers = answers  # statement -> its rows as printed (header line, row lines)
        self.fail = fail  # (pod, statement prefix, stderr)
        self.calls = []

    def run(self, pod, argv, stdin, timeout, who=None):
        self.calls.append((pod, list(argv), stdin))
        if argv[2] != CLIENT_SCRIPT:
            self.events.append((pod, "sh", argv[2]))
            return "", ""
        lines = stdin.split("\n")
        script = lines[3:3 + int(lines[2])]
        out = []
        for marker, statement in zip(script[0::2], script[1::2], strict=True):
            statement = statement.rstrip(";")
            self.events.append((pod, "sql", statement))
            if self.fail and pod == self.fail[0] and statement.startswith(self.fail[1]):
                return "".join(out), self.fail[2]
            out.append("@@stateful\n%s\n" % marker.split("'")[1])
            out.append(self.answers.get(statement, ""))
        return "".join(out), ""


class ApiClient:
    configuration = None


def seeding(clock, flavor="mysql", fail=None):
    """``(ctx, events, pods)``: a Context over a primary mysql-0 and a new replica mysql-3."""
    events = []
    pods = FakePods(events, {"SELECT 1 AS ok": "ok\n1\n", "SELECT @@gtid_executed AS position": "position\n%s\n"
                             % POSITION}, fail)
    transport = ExecTransport(ApiClient(), "data", flavor, "root", ROOT_PASSWORD)
    transport.pod_exec = pods
    members = [Member("mysql-0", 0, "mysql-0.mysql", 3306, ip="10.244.1.10", pod="mysql-0"),
               Member("mysql-3", 3, "mysql-3.mysql", 3306, ip="10.244.1.13", pod="mysql-3")]

    def refresh(name):
        events.append((name, "refresh", None))
        ctx.members[name] = Member(name, 3, "mysql-3.mysql", 3306, ip="10.244.2.7", pod=name)
        return ctx.members[name]

    ctx = applying.Context(flavor, transport, transport, members, "replication", REPLICATION_PASSWORD,
                           set_role=lambda member, role: events.append((member.name, "role", role)),
                           delete_pod=lambda member: events.append((member.name, "delete pod", None)),
                           refresh=refresh, deadline=Deadline(600, clock=clock))
    return ctx, events, pods


def test_mysql_replica_is_cloned_swapped_in_by_a_new_pod_and_attached_by_auto_position(clock):
    ctx, events, pods = seeding(clock)
    assert applying.apply(ctx, [ACTION]) == 1
    assert events == [
        ("mysql-0", "sql", "GRANT BACKUP_ADMIN ON *.* TO 'replication'@'%'"),
        ("mysql-3", "sh", 'rm -rf "/var/lib/mysql-volume/seed"'),
        ("mysql-3", "sql", "SET GLOBAL clone_valid_donor_list = 'mysql-0.mysql:3306'"),
        ("mysql-3", "sql", "CLONE INSTANCE FROM 'replication'@'mysql-0.mysql':3306 IDENTIFIED BY 'r3pl\\'pw\\\\x' "
                           "DATA DIRECTORY = '/var/lib/mysql-volume/seed' REQUIRE SSL"),
        ("mysql-3", "sh", 'mkdir -p "/var/lib/mysql-volume/seed/mysql"'),
        ("mysql-3", "sh", 'printf %s discard > "/var/lib/mysql-volume/seed/.prepared"'),
        ("mysql-3", "delete pod", None),
        ("mysql-3", "refresh", None),
        ("mysql-3", "sql", "SELECT 1 AS ok"),
        ("mysql-3", "sql", "SELECT @@gtid_executed AS position"),
        ("mysql-3", "sql", "STOP REPLICA"),
        ("mysql-3", "sql", "CHANGE REPLICATION SOURCE TO SOURCE_HOST='mysql-0.mysql', SOURCE_PORT=3306, "
                           "SOURCE_USER='replication', SOURCE_PASSWORD='r3pl\\'pw\\\\x', SOURCE_AUTO_POSITION=1, "
                           "SOURCE_SSL=1, GET_SOURCE_PUBLIC_KEY=1, SOURCE_CONNECT_RETRY=5"),
        ("mysql-3", "sql", "START REPLICA"),
        ("mysql-3", "sql", "SET GLOBAL read_only = ON"),
        ("mysql-3", "sql", "SET GLOBAL super_read_only = ON"),
        ("mysql-3", "role", "replica"),
    ]
    assert ctx.facts["seeded"] == [{"member": "mysql-3", "method": "clone", "position": POSITION,
                                    "stream_bytes": None}]
    assert set(ctx.facts["seeded"][0]) == DOCUMENTED


def test_passwords_travel_on_stdin_never_on_a_command_line(clock):
    ctx, _events, pods = seeding(clock)
    applying.apply(ctx, [ACTION])
    clone = [stdin for _pod, _argv, stdin in pods.calls if "CLONE INSTANCE" in stdin]
    assert len(clone) == 1
    assert clone[0].split("\n")[:2] == ["root", 'r00t\\"pw']  # the client's defaults file, cnf-escaped
    for _pod, argv, _stdin in pods.calls:
        assert not any(secret in arg for arg in argv for secret in ("r3pl", "r00t")), argv


def test_a_refused_clone_names_replica_donor_and_the_servers_words_and_swaps_nothing_in(clock):
    refusal = ("ERROR 3862 (HY000) at line 4: Clone Donor Error: 1227 : Access denied; you need (at least one of) "
               "the BACKUP_ADMIN privilege(s) for this operation.\n")
    ctx, events, _pods = seeding(clock, fail=("mysql-3", "CLONE INSTANCE", refusal))
    with pytest.raises(applying.ApplyError) as failed:
        applying.apply(ctx, [ACTION])
    message = str(failed.value)
    assert message.startswith("seed mysql-3: CLONE of mysql-0 into mysql-3 failed: mysql-3: error 3862: Clone "
                              "Donor Error: 1227 : Access denied; you need (at least one of) the BACKUP_ADMIN")
    assert "Nothing was swapped in" in message and "then run again" in message
    assert [e for e in events if e[1] not in ("sql", "sh")] == []  # no pod deleted, no role changed
    assert "seeded" not in ctx.facts


def test_mariadb_replica_is_still_streamed_prepared_and_marked_before_its_pod_goes(clock, monkeypatch):
    ctx, events, _pods = seeding(clock, flavor="mariadb")
    monkeypatch.setattr(seed, "stream_backup", lambda *args: events.append(("mysql-3", "stream", None)) or 4096)
    monkeypatch.setattr(seed, "prepare", lambda *args: events.append(("mysql-3", "prepare", None)))
    monkeypatch.setattr(seed, "backup_position", lambda *args: "0-100-20")
    applying.apply(ctx, [dict(ACTION, replaces_data=True)])
    assert [e[1:] for e in events[:4]] == [
        ("stream", None), ("prepare", None), ("sh", 'printf %s keep > "/var/lib/mysql-volume/seed/.prepared"'),
        ("delete pod", None)]
    assert ("mysql-3", "sql", "SET GLOBAL gtid_slave_pos = '0-100-20'") in events
    assert ctx.facts["seeded"] == [{"member": "mysql-3", "method": "mariadb-backup", "position": "0-100-20",
                                    "stream_bytes": 4096}]
    assert set(ctx.facts["seeded"][0]) == DOCUMENTED
