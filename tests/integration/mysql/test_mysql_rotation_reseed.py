"""Password rotation and re-seeding a diverged replica, with the mysql role on the test bed.

One set of three real MariaDB pods on the NFS StorageClass, built on in file order (as in
test_mysql_role.py): the passwords are rotated while the application writes, then a
replica is made to diverge, refused, and re-seeded only with ``mysql_allow_reseed``.
"""

import base64
import threading
import time
import uuid

import pymysql
from mysql_helpers import (
    APP_PASSWORD,
    APP_USER,
    CHECK_TASK,
    ROLE_LABEL,
    ROLE_TASK,
    ROOT_PASSWORD,
    assert_ok,
    connect,
    pods,
    primary_ip,
    query,
    rows_on,
    task_result,
    wait_for,
    write_rows,
)

# A stopped replica is not Ready: the role heals it before it waits for the rollout.
HEAL_TASK = "Heal stopped replicas before the rollout waits for them"
NEW_ROOT = "root-rotated-%s" % uuid.uuid4().hex[:8]
NEW_REPLICATION = "repl-rotated-%s" % uuid.uuid4().hex[:8]
ROTATED = {"mysql_root_password": NEW_ROOT, "mysql_replication_password": NEW_REPLICATION}


def accepts(ip, password):
    """True when root gets in with ``password``; False when refused (1045); anything else fails the test."""
    try:
        connect(ip, password).close()
        return True
    except pymysql.err.OperationalError as e:
        assert e.args[0] == 1045, e
        return False


def ready(pod):
    return any(c.type == "Ready" and c.status == "True" for c in pod.status.conditions or [])


def names_on(ip, password=NEW_ROOT):
    return set(r["name"] for r in query(ip, "SELECT name FROM app.rows", password=password))


def replicas_have(core_v1, namespace, prefix, count):
    primary, _name = primary_ip(core_v1, namespace)
    found = {name: rows_on_as(p.status.pod_ip, prefix) for name, p in pods(core_v1, namespace).items()
             if p.status.pod_ip != primary}
    return all(n == count for n in found.values()) or found


def rows_on_as(ip, prefix, password=NEW_ROOT):
    return query(ip, "SELECT COUNT(*) AS n FROM app.rows WHERE name LIKE %s", (prefix + "-%",),
                 password=password)[0]["n"]


def test_install(role, mysql_namespace, core_v1):
    assert_ok(role(mysql_namespace))
    ip, _name = primary_ip(core_v1, mysql_namespace)
    write_rows(ip, "first", 20)
    for p in pods(core_v1, mysql_namespace).values():
        wait_for(lambda p=p: rows_on(p.status.pod_ip, "first") == 20, what="20 rows on %s" % p.metadata.name)


def test_rotation_changes_every_server_and_the_secret_while_the_application_writes(role, mysql_namespace,
                                                                                   core_v1):
    ip, _name = primary_ip(core_v1, mysql_namespace)
    old_session = connect(ip, ROOT_PASSWORD)  # a root session opened before the switch
    written, failed, not_ready, stop = [], [], [], threading.Event()

    def writer():  # the application, with its own account (not rotated)
        i = 0
        with connect(ip, APP_PASSWORD, APP_USER) as conn, conn.cursor() as cursor:
            while not stop.is_set():
                try:
                    cursor.execute("INSERT INTO app.rows VALUES (%s)", ("rotating-%d" % i,))
                    written.append(i)
                except Exception as e:  # noqa: BLE001 - counted, the test asserts there is none
                    failed.append(repr(e))
                i += 1
                time.sleep(0.02)

    def readiness():  # the primary must stay behind its Service while the mounted Secret lags
        while not stop.is_set():
            primary = core_v1.read_namespaced_pod("mysql-0", mysql_namespace)
            if not ready(primary):
                not_ready.append(time.monotonic())
            time.sleep(0.5)

    threads = [threading.Thread(target=writer, daemon=True), threading.Thread(target=readiness, daemon=True)]
    for thread in threads:
        thread.start()
    try:
        result = role(mysql_namespace, mysql_rotate_passwords=True, **ROTATED)
        assert_ok(result)
        time.sleep(35)  # past the test bed's Secret volume refresh (30 s): the probes use the new password
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    rotated = task_result(result, ROLE_TASK)
    assert [(a["action"], a["member"]) for a in rotated["plan"]] == [
        ("replication_user", "mysql-0"), ("attach", "mysql-1"), ("attach", "mysql-2"), ("root_password", "mysql-0")]
    secret = core_v1.read_namespaced_secret("mysql", mysql_namespace).data
    stored = dict((k, base64.b64decode(v).decode()) for k, v in secret.items())
    assert (stored["root-password"], stored["replication-password"]) == (NEW_ROOT, NEW_REPLICATION)
    assert 'password="%s"' % NEW_ROOT in stored["client.cnf"]
    for name, p in pods(core_v1, mysql_namespace).items():
        assert (accepts(p.status.pod_ip, ROOT_PASSWORD), accepts(p.status.pod_ip, NEW_ROOT)) == (False, True), name
        assert ready(p), name
    assert failed == [] and len(written) > 20, (failed[:5], len(written))
    assert not_ready == [], "the primary was not Ready for %d probes of 0.5 s" % len(not_ready)
    # The documented behaviour for root clients: a session opened before the switch goes on,
    # a new connection with the old password is refused.
    with old_session, old_session.cursor() as cursor:
        cursor.execute("INSERT INTO app.rows VALUES ('old-root-session-after-rotation')")
    present = names_on(ip)
    assert set("rotating-%d" % i for i in written) <= present


def test_a_run_with_the_new_passwords_and_without_rotate_changes_nothing(role, mysql_namespace):
    result = role(mysql_namespace, **ROTATED)
    assert_ok(result)
    again = task_result(result, ROLE_TASK)
    assert (again["changed"], again["state"], again["plan"]) == (False, "complete", [])
    assert result.stats["changed"] == 0, result.stdout[-4000:]


def test_replicas_reconnect_with_the_new_replication_password_also_after_a_restart(mysql_namespace, core_v1):
    ip, _name = primary_ip(core_v1, mysql_namespace)
    for p in pods(core_v1, mysql_namespace).values():  # new IO connections: only the new password gets in
        if p.status.pod_ip != ip:
            query(p.status.pod_ip, "STOP SLAVE", password=NEW_ROOT)
            query(p.status.pod_ip, "START SLAVE", password=NEW_ROOT)
    write_rows(ip, "after-rotation", 5)
    wait_for(lambda: replicas_have(core_v1, mysql_namespace, "after-rotation", 5), what="rows after the rotation")
    uid = pods(core_v1, mysql_namespace)["mysql-2"].metadata.uid
    core_v1.delete_namespaced_pod("mysql-2", mysql_namespace, grace_period_seconds=30)
    wait_for(lambda: "mysql-2" in pods(core_v1, mysql_namespace)
             and pods(core_v1, mysql_namespace)["mysql-2"].metadata.uid != uid
             and ready(pods(core_v1, mysql_namespace)["mysql-2"]), what="mysql-2 re-created and Ready")
    write_rows(ip, "after-restart", 5)  # no role run: the server reconnects with what CHANGE MASTER stored
    replica = pods(core_v1, mysql_namespace)["mysql-2"].status.pod_ip
    wait_for(lambda: rows_on_as(replica, "after-restart") == 5, what="rows on the re-created mysql-2")
    status = query(replica, "SHOW REPLICA STATUS", password=NEW_ROOT)[0]
    assert (status["Slave_IO_Running"], status["Slave_SQL_Running"], int(status["Last_IO_Errno"])) == ("Yes", "Yes", 0)


def test_diverged_replica_is_refused_by_default_and_nothing_changes(role, mysql_namespace, core_v1):
    replica = pods(core_v1, mysql_namespace)["mysql-2"].status.pod_ip
    query(replica, "STOP SLAVE", password=NEW_ROOT)
    query(replica, "INSERT INTO app.rows VALUES ('only-on-mysql-2')", password=NEW_ROOT)  # root passes read_only
    before = {name: (p.metadata.uid, (p.metadata.labels or {}).get(ROLE_LABEL))
              for name, p in pods(core_v1, mysql_namespace).items()}
    result = role(mysql_namespace, **ROTATED)
    assert result.rc != 0
    refused = task_result(result, CHECK_TASK)
    assert "diverged: mysql-2 has transactions" in refused["msg"] and "allow_reseed: true" in refused["msg"]
    assert result.stats["changed"] == 0
    after = {name: (p.metadata.uid, (p.metadata.labels or {}).get(ROLE_LABEL))
             for name, p in pods(core_v1, mysql_namespace).items()}
    assert after == before
    assert "only-on-mysql-2" in names_on(replica)
    status = query(replica, "SHOW REPLICA STATUS", password=NEW_ROOT)[0]
    assert (status["Slave_IO_Running"], status["Slave_SQL_Running"]) == ("No", "No")


def test_allow_reseed_replaces_the_diverged_replica_with_a_copy_of_the_primary(role, mysql_namespace, core_v1):
    ip, _name = primary_ip(core_v1, mysql_namespace)
    result = role(mysql_namespace, mysql_allow_reseed=True, **ROTATED)
    assert_ok(result)
    reseeded = task_result(result, HEAL_TASK)
    assert [(a["action"], a["member"], a.get("replaces_data")) for a in reseeded["plan"]] == [
        ("seed", "mysql-2", True)]
    assert reseeded["seeded"][0]["member"] == "mysql-2"
    assert sorted(reseeded["marker_seconds"]) == ["mysql-1", "mysql-2"]
    replica = pods(core_v1, mysql_namespace)["mysql-2"].status.pod_ip
    on_primary = names_on(ip)
    assert "only-on-mysql-2" not in names_on(replica)
    assert on_primary <= names_on(replica)
    write_rows(ip, "after-reseed", 5)
    wait_for(lambda: rows_on_as(replica, "after-reseed") == 5, what="rows replicated to the re-seeded mysql-2")
    again = role(mysql_namespace, **ROTATED)
    assert_ok(again)
    assert again.stats["changed"] == 0, again.stdout[-4000:]
