"""observe -> classify -> plan -> apply -> verify on real mariadbd processes (no Kubernetes).

The servers are local processes with the role's replication settings
(tests/support/mariadb_servers.py); the module's direct transport talks to them. The pod label
the module keeps is recorded in a dict here (the one seam with Kubernetes).
"""

import time
from pathlib import Path

import pymysql
import pytest

from tests.support.mariadb_servers import ROOT_PASSWORD, Servers  # noqa: E402 - puts the collection on sys.path

REPO = Path(__file__).resolve().parents[3]

# isort: split
from ansible_collections.stateful.kube.plugins.module_utils.k8s.deadline import Deadline  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.mysql import classify  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.mysql.apply import ApplyError, Context, apply  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.mysql.observe import Member  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.mysql.plan import Desired, plan  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.mysql.run import observe_set  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.mysql.transport import DirectTransport  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.mysql.verify import verify  # noqa: E402

BASE = 7900


class Set:
    """The servers, their labels, and one module run at a time."""

    def __init__(self, servers):
        self.servers = servers
        self.labels = {}
        self.root_password, self.replication_password = ROOT_PASSWORD, "repl-pw"

    def members(self):
        return [Member(s.name, s.ordinal, "127.0.0.1", s.port, role_label=self.labels.get(s.name),
                       primary_label=self.labels.get(s.name) == "primary") for s in self.servers.servers]

    def run(self, check_mode=False, new_root_password=None, new_replication_password=None, **desired):
        transport = DirectTransport("root", self.root_password)
        members = self.members()
        states = observe_set(transport, members, "mariadb", Deadline(30), desired.get("primary"))
        topology = classify.classify(members, states, desired.get("primary"))
        actions = plan(topology, Desired(rotate_root_password=bool(new_root_password),
                                         rotate_replication_password=bool(new_replication_password), **desired))
        if check_mode or not actions:
            return topology, actions, None

        def set_role(member, role):
            self.labels[member.name] = role
            member.role_label = role

        ctx = Context("mariadb", transport, None, members, "replication", self.replication_password, set_role, None,
                      None, Deadline(60), new_replication_password=new_replication_password,
                      new_root_password=new_root_password)
        apply(ctx, actions)
        # what the role then stores in the Secret
        self.root_password = new_root_password or self.root_password
        self.replication_password = new_replication_password or self.replication_password
        primary = [m for m in members if self.labels.get(m.name) == "primary"][0]
        arrived = verify(transport, primary, [m for m in members if m is not primary], 30, Deadline(30))
        transport.close()
        return topology, actions, arrived


@pytest.fixture(scope="module")
def server_set():
    servers = Servers(3, BASE).start()
    yield Set(servers)
    servers.stop()


def as_root(server, password, *statements):
    with server.connect(password=password) as conn, conn.cursor(pymysql.cursors.DictCursor) as cursor:
        for statement in statements:
            cursor.execute(statement)
        return cursor.fetchall()


def rows(server, prefix, password=ROOT_PASSWORD):
    return as_root(server, password, "SELECT COUNT(*) AS n FROM app.rows WHERE name LIKE '%s-%%'" % prefix)[0]["n"]


def write(server, prefix, count):
    server.query("CREATE DATABASE IF NOT EXISTS app")
    server.query("CREATE TABLE IF NOT EXISTS app.rows (name VARCHAR(64) PRIMARY KEY)")
    for i in range(count):
        server.query("INSERT INTO app.rows VALUES (%s)", ("%s-%d" % (prefix, i),))


def wait_rows(servers, prefix, count, timeout=30, password=ROOT_PASSWORD):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(rows(s, prefix, password) == count for s in servers):
            return
        time.sleep(0.2)
    raise AssertionError({s.name: rows(s, prefix, password) for s in servers})


def test_fresh_servers_get_a_primary_and_two_verified_replicas(server_set):
    topology, actions, arrived = server_set.run()
    assert topology.state == classify.EMPTY
    assert [a["action"] for a in actions] == ["make_writable", "replication_user", "attach", "attach", "label"]
    assert sorted(arrived) == ["mysql-1", "mysql-2"]
    write(server_set.servers.servers[0], "formed", 20)
    wait_rows(server_set.servers.servers, "formed", 20)


def test_second_run_plans_nothing(server_set):
    topology, actions, _arrived = server_set.run()
    assert (topology.state, actions) == (classify.COMPLETE, [])


def test_switchover_to_1_and_back_keeps_every_row(server_set):
    servers = server_set.servers.servers
    _topology, actions, _arrived = server_set.run(primary=1)
    assert [a["action"] for a in actions] == ["switchover"]
    assert server_set.labels == {"mysql-0": "replica", "mysql-1": "primary", "mysql-2": "replica"}
    assert [s.query("SELECT @@read_only AS r")[0]["r"] for s in servers] == [1, 0, 1]
    write(servers[1], "on-1", 10)
    wait_rows(servers, "on-1", 10)
    _topology, actions, _arrived = server_set.run(primary=0)
    assert [a["action"] for a in actions] == ["switchover"]
    write(servers[0], "back-on-0", 10)
    wait_rows(servers, "back-on-0", 10)
    assert all(rows(s, "formed") == 20 for s in servers)


def test_switchover_to_a_lagging_replica_is_refused_with_its_lag(server_set):
    servers = server_set.servers.servers
    servers[2].query("STOP SLAVE")
    servers[2].query("CHANGE MASTER TO MASTER_DELAY=120")
    servers[2].query("START SLAVE")
    write(servers[0], "lagging", 1)
    time.sleep(3)
    with pytest.raises(ApplyError, match=r"mysql-2 lags mysql-0 by \d+ s \(bound 1 s\): nothing was changed"):
        server_set.run(primary=2, max_lag=1)
    assert servers[0].query("SELECT @@read_only AS r")[0]["r"] == 0
    servers[2].query("STOP SLAVE")
    servers[2].query("CHANGE MASTER TO MASTER_DELAY=0")
    servers[2].query("START SLAVE")
    wait_rows(servers, "lagging", 1)


def accepts(server, password):
    try:
        server.connect(password=password).close()
        return True
    except pymysql.err.OperationalError as e:
        assert e.args[0] == 1045, e  # access denied, not another failure
        return False


def test_rotation_changes_both_passwords_on_every_server_and_replication_follows(server_set):
    servers = server_set.servers.servers
    _topology, actions, _arrived = server_set.run(new_root_password="rotated-root", new_replication_password="rot-r")
    assert [a["action"] for a in actions] == ["replication_user", "attach", "attach", "root_password"]
    assert [(accepts(s, ROOT_PASSWORD), accepts(s, "rotated-root")) for s in servers] == [(False, True)] * 3
    for server in servers:  # the replication account's new password, replicated to every server
        server.connect(user="replication", password="rot-r").close()
    for replica in servers[1:]:  # a new connection to the primary: with the new replication password
        as_root(replica, "rotated-root", "STOP SLAVE", "START SLAVE")
    as_root(servers[0], "rotated-root", "INSERT INTO app.rows VALUES ('after-rotation-0')")
    wait_rows(servers, "after-rotation", 1, password="rotated-root")
    # back, so that the other tests find the servers as the fixture made them
    topology, actions, _arrived = server_set.run(new_root_password=ROOT_PASSWORD, new_replication_password="repl-pw")
    assert topology.state == classify.COMPLETE and actions[-1]["action"] == "root_password"
    assert server_set.run()[1] == []


def test_a_write_on_a_replica_is_refused_as_diverged(server_set):
    servers = server_set.servers.servers
    servers[2].query("STOP SLAVE")
    servers[2].query("INSERT INTO app.rows VALUES ('only-on-2')")
    with pytest.raises(classify.Refused, match="diverged: mysql-2 has transactions 0-102-"):
        server_set.run()
    assert servers[2].query("SHOW REPLICA STATUS")[0]["Slave_SQL_Running"] == "No"
    # with allow_reseed the plan replaces its data with a copy of the primary (applied on the test bed only:
    # the copy travels through the pods' exec streams and the init container swaps it in)
    _topology, actions, _arrived = server_set.run(check_mode=True, allow_reseed=True)
    assert [(a["action"], a["member"], a["replaces_data"]) for a in actions] == [("seed", "mysql-2", True)]


def readiness(server, tmp_path, password=ROOT_PASSWORD):
    """The role's readiness script run against a local server (its credentials file and port swapped in)."""
    import subprocess

    script = (REPO / "roles" / "mysql" / "files" / "ready.sh").read_text()
    cnf = tmp_path / "client.cnf"
    cnf.write_text("[client]\nuser=root\npassword=%s\n" % password)
    script = script.replace("/etc/mysql/credentials/client.cnf", str(cnf))
    return subprocess.run(["sh", "-c", script], env={"PORT": str(server.port), "PATH": "/usr/bin:/bin"}, check=False,
                          capture_output=True, text=True)


def test_readiness_is_the_server_answering_and_on_a_replica_replication_running(server_set, tmp_path):
    servers = server_set.servers.servers
    assert readiness(servers[0], tmp_path).returncode == 0  # writable: the primary
    assert readiness(servers[1], tmp_path).returncode == 0  # a replica, replicating
    servers[1].query("STOP SLAVE SQL_THREAD")
    stopped = readiness(servers[1], tmp_path)
    assert stopped.returncode == 1 and "Slave_SQL_Running: No" in stopped.stdout
    servers[1].query("START SLAVE")


def test_readiness_holds_while_the_mounted_password_lags_a_rotation(server_set, tmp_path):
    lagging = readiness(server_set.servers.servers[0], tmp_path, password="the-password-before-a-rotation")
    assert lagging.returncode == 0 and "the mounted Secret lags behind" in lagging.stdout
    server_set.servers.stop_one(server_set.servers.servers[2])
    down = readiness(server_set.servers.servers[2], tmp_path, password="the-password-before-a-rotation")
    assert down.returncode == 1 and "ERROR 1045" not in down.stdout  # a server that does not answer is not ready
