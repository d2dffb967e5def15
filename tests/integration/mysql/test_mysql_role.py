"""The mysql role and mysql_replication_bootstrap on the test bed: one set, built on in file order.

Real MariaDB pods (the test bed's stand-in of the official image: Debian's mariadbd) on
claims of the NFS StorageClass. Each test acts once on the set the tests before it left,
and checks what a user would: rows on every server, who is primary, what the run reported.
"""

import time

import pytest
from mysql_helpers import (
    CHECK_TASK,
    ROLE_LABEL,
    ROLE_TASK,
    assert_ok,
    pods,
    primary_ip,
    query,
    rows_on,
    task_result,
    wait_for,
    write_rows,
)


def replicas_have(core_v1, namespace, prefix, count):
    primary, _name = primary_ip(core_v1, namespace)
    found = {name: rows_on(p.status.pod_ip, prefix) for name, p in pods(core_v1, namespace).items()
             if p.status.pod_ip != primary}
    return all(n == count for n in found.values()) or found


def test_three_pods_come_up_in_order_and_replicate(role, mysql_namespace, core_v1):
    result = role(mysql_namespace)
    assert_ok(result)
    formed = task_result(result, ROLE_TASK)
    assert formed["state"] == "empty" and formed["primary"] == "mysql-0"
    assert sorted(formed["marker_seconds"]) == ["mysql-1", "mysql-2"]
    ip, name = primary_ip(core_v1, mysql_namespace)
    assert name == "mysql-0"
    write_rows(ip, "first", 50)
    wait_for(lambda: replicas_have(core_v1, mysql_namespace, "first", 50), what="50 rows on both replicas")
    for p in pods(core_v1, mysql_namespace).values():
        read_only = query(p.status.pod_ip, "SELECT @@read_only AS r")[0]["r"]
        assert read_only == (0 if p.metadata.name == "mysql-0" else 1), p.metadata.name


def test_second_run_changes_nothing(role, mysql_namespace):
    result = role(mysql_namespace)
    assert_ok(result)
    again = task_result(result, ROLE_TASK)
    assert (again["changed"], again["state"], again["plan"]) == (False, "complete", [])
    assert result.stats["changed"] == 0, result.stdout[-4000:]


def test_scale_up_after_purge_seeds_the_new_replica(role, mysql_namespace, core_v1):
    ip, _name = primary_ip(core_v1, mysql_namespace)
    write_rows(ip, "before-purge", 30)
    query(ip, "FLUSH BINARY LOGS")
    write_rows(ip, "in-the-new-log", 1)  # the replicas move on to the new log: the old ones are free to go
    wait_for(lambda: replicas_have(core_v1, mysql_namespace, "in-the-new-log", 1), what="replicas on the new log")
    last = query(ip, "SHOW BINARY LOGS")[-1]["Log_name"]
    query(ip, "PURGE BINARY LOGS TO %s", (last,))
    assert [log["Log_name"] for log in query(ip, "SHOW BINARY LOGS")] == [last]
    result = role(mysql_namespace, mysql_replicas=4)
    assert_ok(result)
    grown = task_result(result, ROLE_TASK)
    assert [(a["action"], a["member"]) for a in grown["plan"]] == [("seed", "mysql-3")]
    assert grown["seeded"][0]["member"] == "mysql-3"
    new = pods(core_v1, mysql_namespace)["mysql-3"].status.pod_ip
    assert rows_on(new, "first") == 50 and rows_on(new, "before-purge") == 30
    write_rows(ip, "after-seed", 10)
    wait_for(lambda: replicas_have(core_v1, mysql_namespace, "after-seed", 10), what="rows after the seed")


@pytest.mark.parametrize("victims", [["mysql-2"], ["mysql-0"], ["mysql-0", "mysql-1", "mysql-2", "mysql-3"]],
                         ids=["replica", "primary", "all"])
def test_deleted_pods_come_back_replicating_without_losing_rows(role, mysql_namespace, core_v1, victims):
    prefix = "before-delete-%s" % "-".join(v[-1] for v in victims)
    ip, _name = primary_ip(core_v1, mysql_namespace)
    write_rows(ip, prefix, 20)
    wait_for(lambda: replicas_have(core_v1, mysql_namespace, prefix, 20), what="rows before the deletion")
    uids = {name: p.metadata.uid for name, p in pods(core_v1, mysql_namespace).items()}
    for victim in victims:
        core_v1.delete_namespaced_pod(victim, mysql_namespace, grace_period_seconds=30)
    wait_for(lambda: all(victim in pods(core_v1, mysql_namespace)
                         and pods(core_v1, mysql_namespace)[victim].metadata.uid != uids[victim] for victim in victims),
             what="the deleted pods re-created")
    result = role(mysql_namespace, mysql_replicas=4)
    assert_ok(result)
    healed = task_result(result, ROLE_TASK)
    assert healed["primary"] == "mysql-0"
    ip, _name = primary_ip(core_v1, mysql_namespace)
    assert rows_on(ip, prefix) == 20 and rows_on(ip, "first") == 50
    write_rows(ip, prefix + "-after", 5)
    wait_for(lambda: replicas_have(core_v1, mysql_namespace, prefix + "-after", 5), what="rows after the heal")


def test_switchover_to_1_and_back_with_writes_loses_no_row(role, mysql_namespace, core_v1):
    import threading

    from mysql_helpers import APP_PASSWORD, APP_USER, connect

    written, failed, stop = [], [], threading.Event()

    def writer():
        i = 0
        while not stop.is_set():
            try:
                ip, _name = primary_ip(core_v1, mysql_namespace)
                with connect(ip, APP_PASSWORD, APP_USER) as conn, conn.cursor() as cursor:
                    cursor.execute("INSERT INTO app.rows VALUES (%s)", ("switch-%d" % i,))
                written.append(i)
                i += 1
            except Exception as e:  # noqa: BLE001 - writes fail while the primary moves; counted
                failed.append(repr(e))
                time.sleep(0.05)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        result = role(mysql_namespace, mysql_replicas=4, mysql_primary=1)
        assert_ok(result)
        moved = task_result(result, ROLE_TASK)
        assert moved["primary"] == "mysql-1"
        assert [a["action"] for a in moved["plan"]] == ["switchover"]
        result = role(mysql_namespace, mysql_replicas=4, mysql_primary=0)
        assert_ok(result)
        assert task_result(result, ROLE_TASK)["primary"] == "mysql-0"
    finally:
        stop.set()
        thread.join(30)
    ip, name = primary_ip(core_v1, mysql_namespace)
    assert name == "mysql-0"
    acknowledged = set("switch-%d" % i for i in written)
    present = set(r["name"] for r in query(ip, "SELECT name FROM app.rows WHERE name LIKE 'switch-%%'"))
    assert acknowledged <= present, "rows acknowledged but lost: %s" % sorted(acknowledged - present)[:10]
    wait_for(lambda: replicas_have(core_v1, mysql_namespace, "switch", len(present)), what="switch rows on replicas")


def test_wrong_password_is_refused_and_nothing_changes(role, mysql_namespace, core_v1):
    before = {name: (p.metadata.resource_version, (p.metadata.labels or {}).get(ROLE_LABEL))
              for name, p in pods(core_v1, mysql_namespace).items()}
    secret_before = core_v1.read_namespaced_secret("mysql", mysql_namespace).data
    result = role(mysql_namespace, mysql_replicas=4, mysql_root_password="not-the-servers-password")
    assert result.rc != 0
    assert "differs from the one in Secret" in result.stdout
    assert core_v1.read_namespaced_secret("mysql", mysql_namespace).data == secret_before
    after = {name: (p.metadata.resource_version, (p.metadata.labels or {}).get(ROLE_LABEL))
             for name, p in pods(core_v1, mysql_namespace).items()}
    assert after == before


def test_deleted_secret_with_other_password_is_refused_before_any_change(role, mysql_namespace, core_v1):
    secret = core_v1.read_namespaced_secret("mysql", mysql_namespace)
    core_v1.delete_namespaced_secret("mysql", mysql_namespace)
    try:
        result = role(mysql_namespace, mysql_replicas=4, mysql_root_password="a-new-install-password")
        assert result.rc != 0
        checked = task_result(result, CHECK_TASK)
        assert checked.get("failed") and "1045" in checked["msg"] and "nothing was changed" in checked["msg"]
        with pytest.raises(Exception, match="Not Found"):
            core_v1.read_namespaced_secret("mysql", mysql_namespace)
    finally:
        secret.metadata.resource_version = None
        core_v1.create_namespaced_secret(mysql_namespace, secret)


def test_diverged_replica_is_refused_and_nothing_changes(role, mysql_namespace, core_v1):
    replica = pods(core_v1, mysql_namespace)["mysql-2"].status.pod_ip
    query(replica, "STOP SLAVE")
    query(replica, "INSERT INTO app.rows VALUES ('only-on-mysql-2')")  # root may write on a read-only replica
    result = role(mysql_namespace, mysql_replicas=4)
    assert result.rc != 0
    # refused by the role's first look at the servers, before it applies anything
    refused = task_result(result, CHECK_TASK)
    assert "diverged: mysql-2 has transactions" in refused["msg"] and "Nothing was changed" in refused["msg"]
    assert result.stats["changed"] == 0
    status = query(replica, "SHOW REPLICA STATUS")[0]
    assert (status["Slave_IO_Running"], status["Slave_SQL_Running"]) == ("No", "No")
