from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.stateful.kube.plugins.module_utils.mysql import config


def parse(text):
    lines = text.strip().split("\n")
    assert lines[0] == "[mysqld]"
    return dict(line.split(" = ", 1) for line in lines[1:])


@pytest.mark.parametrize("version", ["10.11", "11.4", "11.8.2"])
def test_mariadb_every_pod_logs_binlogs_in_strict_gtid_mode_and_starts_read_only(version):
    common = parse(config.files("mariadb", version, [0])["replication.cnf"])
    assert common["gtid_strict_mode"] == "ON" and common["log_slave_updates"] == "ON"
    assert common["read_only"] == "ON" and "super_read_only" not in common
    assert common["log_bin"] == "binlog" and common["relay_log"] == "relay-bin"


def test_mysql_84_turns_gtids_on_and_uses_super_read_only():
    common = parse(config.files("mysql", "8.4", [0])["replication.cnf"])
    assert common["gtid_mode"] == "ON" and common["enforce_gtid_consistency"] == "ON"
    assert common["super_read_only"] == "ON" and common["log_replica_updates"] == "ON"
    assert "binlog_format" not in common and "gtid_strict_mode" not in common


def test_server_id_per_ordinal_including_a_start_ordinal():
    data = config.files("mariadb", "10.11", range(5, 8))
    assert sorted(data) == ["replication.cnf", "server-5.cnf", "server-6.cnf", "server-7.cnf"]
    assert [parse(data["server-%d.cnf" % o])["server_id"] for o in (5, 6, 7)] == ["105", "106", "107"]


def test_server_id_zero_is_refused():
    with pytest.raises(config.ConfigError, match="server_id 0"):
        config.server_id(0, offset=0)


def test_extra_settings_may_not_override_ours():
    with pytest.raises(config.ConfigError, match="read_only, server_id are managed"):
        config.files("mariadb", "10.11", [0], extra={"read_only": "OFF", "server_id": 9, "max_connections": 500})
    assert "max_connections = 500" in config.files("mariadb", "10.11", [0], extra={"max_connections": 500})[
        "replication.cnf"]


@pytest.mark.parametrize("flavor, version", [("mariadb", "10.6"), ("mysql", "8.0"), ("percona", "8.4")])
def test_unsupported_flavors_and_versions_are_refused(flavor, version):
    with pytest.raises(config.ConfigError):
        config.check_flavor(flavor, version)


def test_mysql_loads_the_clone_plugin_on_every_server_and_mariadb_does_not():
    text = config.files("mysql", "8.4", [0, 1])["replication.cnf"]
    assert "plugin_load_add = mysql_clone.so\n" in text and "clone = FORCE_PLUS_PERMANENT\n" in text
    mariadb = config.files("mariadb", "11.4", [0])["replication.cnf"]
    assert "clone" not in mariadb and "plugin_load_add" not in mariadb


def test_mysql_extra_plugins_load_beside_the_clone_plugin_but_clone_itself_is_ours():
    text = config.files("mysql", "8.4", [0], extra={"plugin_load_add": "audit_log.so"})["replication.cnf"]
    assert "plugin_load_add = mysql_clone.so\n" in text and "plugin_load_add = audit_log.so\n" in text
    with pytest.raises(config.ConfigError, match="clone are managed"):
        config.files("mysql", "8.4", [0], extra={"clone": "OFF"})
