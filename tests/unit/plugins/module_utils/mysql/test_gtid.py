from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.mysql.gtid import MariaState, MysqlSet


def test_maria_write_on_a_replica_is_missing_from_the_primary_even_when_the_primary_is_further():
    replica = MariaState.parse("0-100-5,0-102-6")
    primary = MariaState.parse("0-100-9")
    assert str(replica.missing(primary)) == "0-102-6"


def test_maria_prefix_is_not_missing():
    assert not MariaState.parse("0-100-5").missing(MariaState.parse("0-100-9,0-101-12"))


def test_maria_union_keeps_the_highest_per_server():
    assert str(MariaState.parse("0-100-5,1-7-2").union(MariaState.parse("0-100-9"))) == "0-100-9,1-7-2"


def test_maria_coverage_against_a_gtid_list():
    purged = MariaState.parse("[0-100-20]")
    assert MariaState.parse("0-100-20").covers(purged)
    assert not MariaState.parse("0-100-19").covers(purged)
    assert not MariaState.parse("").covers(purged)
    assert MariaState.parse("").covers(MariaState.parse("[]"))


def test_mysql_sets_subtract_by_interval():
    executed = MysqlSet.parse("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-10:12,bbbbbbbb-0000-0000-0000-000000000000:1-3")
    primary = MysqlSet.parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-11,\nbbbbbbbb-0000-0000-0000-000000000000:2")
    assert str(executed.missing(primary)) == ("3e11fa47-71ca-11e1-9e33-c80aa9429562:12,"
                                              "bbbbbbbb-0000-0000-0000-000000000000:1:3")


def test_mysql_coverage_is_purged_within_executed():
    assert MysqlSet.parse("a:1-10").covers(MysqlSet.parse("a:1-5"))
    assert not MysqlSet.parse("a:1-4").covers(MysqlSet.parse("a:1-5"))


def test_mysql_sets_read_as_the_client_prints_them_one_uuid_a_line():
    text = "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-120,\nbbbbbbbb-0000-0000-0000-000000000000:1-3"
    assert str(MysqlSet.parse(text)) == text.replace("\n", "")


def test_mysql_empty_replica_is_covered_only_while_the_source_purged_nothing():
    empty = MysqlSet.parse("")
    assert empty.covers(MysqlSet.parse(""))
    assert not empty.covers(MysqlSet.parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-100"))
    # a replica that has what was purged, from another source's UUID too
    assert MysqlSet.parse("a:1-150,b:1-3").covers(MysqlSet.parse("a:1-100,\nb:1-2"))
    assert not MysqlSet.parse("a:1-150").covers(MysqlSet.parse("a:1-100,b:1-2"))
