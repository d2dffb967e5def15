"""The statements the apply step sends, as text (what each server is asked, per flavor)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.mysql import sql

PASSWORD = "r3pl'pw\\x"  # a quote and a backslash: both must be escaped inside the literal
QUOTED = "'r3pl\\'pw\\\\x'"


def test_clone_names_the_donor_in_the_valid_list_then_clones_into_the_seed_folder_over_ssl():
    assert sql.clone("mysql-0.mysql", 3306, "replication", PASSWORD, "/var/lib/mysql-volume/seed") == [
        "SET GLOBAL clone_valid_donor_list = 'mysql-0.mysql:3306'",
        "CLONE INSTANCE FROM 'replication'@'mysql-0.mysql':3306 IDENTIFIED BY %s "
        "DATA DIRECTORY = '/var/lib/mysql-volume/seed' REQUIRE SSL" % QUOTED,
    ]


def test_the_replication_account_is_the_clone_donor_account_on_mysql_only():
    assert sql.clone_donor("replication") == ["GRANT BACKUP_ADMIN ON *.* TO 'replication'@'%'"]
    mysql = sql.replication_user("mysql", "replication", PASSWORD)
    assert mysql[-1] == "GRANT BACKUP_ADMIN ON *.* TO 'replication'@'%'"
    assert mysql[0] == "CREATE USER IF NOT EXISTS 'replication'@'%%' IDENTIFIED BY %s" % QUOTED
    assert not any("BACKUP_ADMIN" in s for s in sql.replication_user("mariadb", "replication", PASSWORD))


def test_mysql_attach_resumes_by_auto_position_and_never_sets_a_mariadb_position():
    statements = sql.attach("mysql", "mysql-0.mysql", 3306, "replication", PASSWORD, gtid_slave_pos="0-100-5")
    assert statements[0] == "STOP REPLICA" and statements[-1] == "START REPLICA"
    assert "SOURCE_AUTO_POSITION=1" in statements[1] and "SOURCE_PASSWORD=%s" % QUOTED in statements[1]
    assert not any("gtid_slave_pos" in s for s in statements)
    assert "SET GLOBAL gtid_slave_pos = '0-100-5'" in sql.attach("mariadb", "h", 3306, "u", "p", "0-100-5")
