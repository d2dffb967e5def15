from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.errors import ReplyError
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.exec import (
    SCRIPT,
    parse_reply,
    quote_command,
    split_replies,
)

# What `redis-cli --json` 7.0 printed for: CLUSTER INFO, a failing command, GET of a missing
# key, CLUSTER GETKEYSINSLOT, DBSIZE, each followed by ECHO of the marker.
OUTPUT = "\n".join([
    "cluster_state:fail", "cluster_slots_assigned:0", '"m"',
    'error:"ERR unknown command \'BOGUS\', with args beginning with: "', '"m"',
    "null", '"m"',
    '["a b","x"]', '"m"',
    "0", '"m"',
    "",
])


def test_the_password_is_never_on_the_command_line():
    assert "REDISCLI_AUTH" in SCRIPT and "read -r REDISCLI_AUTH" in SCRIPT
    assert "-a " not in SCRIPT and "--pass" not in SCRIPT


def test_arguments_are_quoted_so_redis_cli_splits_them_back():
    assert quote_command(["SET", 'a "b"', "x\ny\\"]) == '"SET" "a \\"b\\"" "x\\ny\\\\"'
    assert quote_command(["MIGRATE", "10.0.0.1", 6379, "", 0]) == '"MIGRATE" "10.0.0.1" "6379" "" "0"'
    assert quote_command([b"k\xff"]) == '"k\\xff"'


def test_output_is_split_at_the_marker_into_one_reply_per_command():
    chunks = split_replies(OUTPUT, "m")
    commands = [["CLUSTER", "INFO"], ["BOGUS"], ["GET", "nokey"], ["CLUSTER", "GETKEYSINSLOT", 0, 2], ["DBSIZE"]]
    assert len(chunks) == 5
    values = [parse_reply(command, chunk) for command, chunk in zip(commands, chunks, strict=True)]
    assert values[0] == "cluster_state:fail\ncluster_slots_assigned:0"
    assert isinstance(values[1], ReplyError) and str(values[1]).startswith("ERR unknown command")
    assert values[2] is None and values[3] == ["a b", "x"] and values[4] == 0


def test_errors_of_plain_text_commands_are_recognised():
    error = parse_reply(["CLUSTER", "NODES"], "NOAUTH Authentication required.")
    assert isinstance(error, ReplyError) and "NOAUTH" in str(error)
    nodes = "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca :6379@16379 myself,master - 0 0 0 connected"
    assert parse_reply(["CLUSTER", "NODES"], nodes) == nodes
