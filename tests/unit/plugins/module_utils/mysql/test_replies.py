from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.mysql import queries, replies


def test_script_puts_a_marker_before_each_query():
    text = replies.script([("a", "SELECT 1;"), ("b", "SHOW REPLICA STATUS")])
    assert text == ("SELECT 'a' AS `@@stateful`;\nSELECT 1;\nSELECT 'b' AS `@@stateful`;\nSHOW REPLICA STATUS;\n")


def test_batch_output_splits_per_query_and_unescapes(server_set):
    _members, _states, raw = server_set("replica_broken")
    parsed = replies.parse_batch(raw["observed"]["mysql-1"])
    assert sorted(parsed) == sorted(name for name, _sql in queries.MARIADB)
    assert parsed["replica"][0]["Slave_IO_Running"] == "Connecting"
    assert parsed["replica"][0]["Seconds_Behind_Master"] is None  # NULL


def test_query_without_rows_leaves_an_empty_list(server_set):
    _members, _states, raw = server_set("complete")
    assert replies.parse_batch(raw["observed"]["mysql-0"])["replica"] == []


def test_escaped_tabs_and_newlines_come_back():
    text = "@@stateful\nx\nv\na\\tb\\nc\\\\d\n"
    assert replies.parse_batch(text) == {"x": [{"v": "a\tb\nc\\d"}]}


def test_pymysql_rows_take_the_batch_value_types():
    assert replies.normalize_row({"a": 1, "b": None, "c": b"x", "d": "y"}) == {"a": "1", "b": None, "c": "x", "d": "y"}
