"""The runner with fakes at its seams: the pods come from the fixtures, the servers answer with their captured text."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.stateful.kube.plugins.module_utils.k8s.errors import ModuleFailure
from ansible_collections.stateful.kube.plugins.module_utils.mysql import run as runner
from ansible_collections.stateful.kube.plugins.module_utils.mysql.replies import parse_batch
from ansible_collections.stateful.kube.plugins.module_utils.mysql.transport import MemberError

PARAMS = {"name": "mysql", "namespace": "data", "flavor": "mariadb", "port": 3306, "container": None,
          "transport": "exec", "root_password": "root-pw", "replication_user": "replication",
          "replication_password": "repl-pw", "credentials_secret": None, "new_root_password": None,
          "new_replication_password": None, "primary": None, "max_lag": 30, "allow_reseed": False, "verify": True,
          "timeout": 5, "call_timeout": 5}


class CapturedServers:
    """A transport that answers the observe queries with what the real servers printed; refuses anything else."""

    def __init__(self, raw, refuse=None):
        self.raw = raw
        self.refuse = refuse

    def query(self, member, queries, timeout=None):
        if self.refuse:
            raise MemberError(member.name, self.refuse, "%s: error 1045: Access denied for user 'root'" % member.name)
        if queries[0][0] != "variables":
            pytest.fail("the runner changed something: %s" % queries)
        return parse_batch(self.raw["observed"][member.name])

    def close(self):
        pass


def run(monkeypatch, server_set, name, check_mode=True, refuse=None, **params):
    members, _states, raw = server_set(name)
    servers = CapturedServers(raw, refuse)
    monkeypatch.setattr(runner.pods, "find_members", lambda *args: (members, []))
    monkeypatch.setattr(runner, "transports", lambda *args: (servers, servers))
    return runner.run(None, dict(PARAMS, **params), check_mode=check_mode)


def test_check_mode_returns_the_plan_and_its_diff_and_changes_nothing(monkeypatch, server_set):
    result = run(monkeypatch, server_set, "scale_up_purged")
    assert result["changed"] is True and result["state"] == "scale_up"
    assert [(a["action"], a["member"]) for a in result["plan"]] == [("seed", "mysql-3")]
    assert result["diff"]["before"] == "scale_up, primary mysql-0\n"
    assert result["diff"]["after"].startswith("seed mysql-3 from mysql-0: its position (empty) is older")


def test_a_complete_set_reports_no_change(monkeypatch, server_set):
    result = run(monkeypatch, server_set, "complete", check_mode=False, verify=False)
    assert (result["changed"], result["plan"], result["primary"]) == (False, [], "mysql-0")


def test_a_refused_password_fails_with_what_to_do_and_nothing_changed(monkeypatch, server_set):
    with pytest.raises(ModuleFailure) as failed:
        run(monkeypatch, server_set, "complete", refuse="auth")
    result = failed.value.result()
    assert "Access denied" in result["msg"] and "nothing was changed" in result["msg"]
    assert (result["member"], result["problem"], result["changed"]) == ("mysql-0", "auth", False)


def test_a_diverged_set_is_refused_before_any_change(monkeypatch, server_set):
    with pytest.raises(ModuleFailure) as failed:
        run(monkeypatch, server_set, "diverged", check_mode=False)
    result = failed.value.result()
    assert result["msg"].startswith("diverged: mysql-2 has transactions 0-102-")
    assert result["changed"] is False and result["state"] == "diverged"
