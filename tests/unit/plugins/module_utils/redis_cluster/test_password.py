"""Password rotation: the order of its steps, and when there is nothing to do."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster import password
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.errors import ApplyError, ReplyError
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.transport import Member

MEMBERS = [Member("redis-%d" % i, "10.244.1.%d" % (i + 2), 6379, pod="redis-%d" % i) for i in range(3)]


class Recording:
    name = "recording"

    def __init__(self, log, refuse=None):
        self.log = log
        self.refuse = refuse

    def call(self, member, commands, timeout=None):
        replies = []
        for command in commands:
            self.log.append((member.name, " ".join(str(word) for word in command[:3])))
            replies.append(ReplyError("ERR no") if command[0] == self.refuse else "OK")
        return replies


def test_every_member_takes_the_new_password_before_the_secret_and_the_switch_come_last():
    log = []
    password.rotate(Recording(log), MEMBERS, "new", lambda value: log.append(("secret", value)),
                    lambda member, value: log.append((member.name, "file " + value)))
    steps = [entry[1] for entry in log]
    secret = log.index(("secret", "new"))
    assert all(step.startswith(("ACL SETUSER", "CONFIG SET masterauth")) for step in steps[:secret])
    assert len(steps[:secret]) == 6
    assert sorted(steps[secret + 1:secret + 4]) == ["file new"] * 3
    assert steps[secret + 4:] == ["CONFIG SET requirepass"] * 3


def test_a_refusal_stops_the_rotation_before_the_secret_changes():
    log = []
    with pytest.raises(ApplyError):
        password.rotate(Recording(log, refuse="ACL"), MEMBERS, "new", lambda value: log.append(("secret", value)),
                        lambda member, value: None)
    assert ("secret", "new") not in log


@pytest.mark.parametrize("seen, secret, needed", [
    ({"redis-0": ("new", "new")}, "new", False),
    ({"redis-0": ("old", "new")}, "new", True),
    ({"redis-0": ("new", "new")}, "old", True),
])
def test_rotation_is_needed_until_members_and_secret_all_have_the_new_password(seen, secret, needed):
    assert password.needs_rotation(seen, "new", secret) is needed


def test_config_get_replies_of_both_transports_are_read():
    assert password.config_value({"requirepass": "x"}, "requirepass") == "x"
    assert password.config_value(["requirepass", "x"], "requirepass") == "x"
