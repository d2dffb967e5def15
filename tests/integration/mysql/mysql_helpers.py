"""What the MySQL tests share: running the role, reaching the pods' servers from the host, rows."""

import time
import uuid
from pathlib import Path

import pymysql

from testbed import config
from tests.support import role_runs

HERE = Path(__file__).parent
ROLE_PLAYBOOK = HERE / "playbooks" / "mysql.yml"
STORAGE_PLAYBOOK = config.STORAGE_PLAYBOOK
STORAGE_CLASS = "nfs-client"  # made by testbed/playbooks/storage.yml
ROOT_PASSWORD = "root-%s" % uuid.uuid4().hex[:10]
# The application's account (the role's mysql_user): read_only stops it, unlike root
# (READ_ONLY ADMIN), so a switchover's fence holds for it as for any application.
APP_USER, APP_PASSWORD = "app", "app-%s" % uuid.uuid4().hex[:10]
ROLE_TASK = "Form, grow, heal or switch over the replication, then verify it"
CHECK_TASK = "Check the passwords against the running servers before changing anything"
ROLE_LABEL = "stateful.kube/mysql-role"


def role_vars(namespace, **overrides):
    found = {
        "mysql_namespace": namespace,
        "mysql_root_password": ROOT_PASSWORD,
        "mysql_storage_class": STORAGE_CLASS,
        "mysql_version": "10.11",
        "mysql_timeout": 500,
        "mysql_resources": {},
        "mysql_database": "app",
        "mysql_user": APP_USER,
        "mysql_user_password": APP_PASSWORD,
    }
    found.update(overrides)
    return found


assert_ok = role_runs.assert_ok  # the tests import it from here


def task_result(result, task):
    """The one result of ``task`` in a run of the mysql role."""
    return role_runs.task_result(result, task, "mysql")


def pods(core_v1, namespace):
    """``{pod name: pod}`` of the running pods."""
    return dict((p.metadata.name, p) for p in core_v1.list_namespaced_pod(namespace).items
                if p.status.phase == "Running" and p.status.pod_ip and not p.metadata.deletion_timestamp)


def connect(ip, password=ROOT_PASSWORD, user="root"):
    return pymysql.connect(host=ip, port=3306, user=user, password=password, autocommit=True, connect_timeout=5,
                           read_timeout=30)


def query(ip, sql, args=None, password=ROOT_PASSWORD):
    with connect(ip, password) as conn, conn.cursor(pymysql.cursors.DictCursor) as cursor:
        cursor.execute(sql, args)
        return cursor.fetchall()


def primary_ip(core_v1, namespace):
    labelled = [p for p in pods(core_v1, namespace).values() if (p.metadata.labels or {}).get(ROLE_LABEL) == "primary"]
    assert len(labelled) == 1, "pods labelled primary: %s" % [p.metadata.name for p in labelled]
    return labelled[0].status.pod_ip, labelled[0].metadata.name


def write_rows(ip, prefix, count):
    """Rows written as the application (its database exists on every pod from the first boot)."""
    with connect(ip, APP_PASSWORD, APP_USER) as conn, conn.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS app.rows (name VARCHAR(64) PRIMARY KEY)")
        for i in range(count):
            cursor.execute("INSERT INTO app.rows VALUES (%s)", ("%s-%d" % (prefix, i),))


def rows_on(ip, prefix):
    return query(ip, "SELECT COUNT(*) AS n FROM app.rows WHERE name LIKE %s", (prefix + "-%",))[0]["n"]


def wait_for(check, timeout=240, interval=1.0, what="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last is True:
                return
        except Exception as e:  # noqa: BLE001 - a pod restarting answers with errors for a while
            last = e
        time.sleep(interval)
    raise AssertionError("%s not reached in %d s; last: %r" % (what, timeout, last))
