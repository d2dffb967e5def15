from __future__ import absolute_import, division, print_function

__metaclass__ = type

import yaml

from ansible_collections.stateful.kube.plugins.module_utils.mysql.options import check_options
from ansible_collections.stateful.kube.plugins.module_utils.mysql.run import WHAT_TO_DO
from ansible_collections.stateful.kube.plugins.modules import mysql_replication_bootstrap as module


def params(**overrides):
    found = dict((name, spec.get("default")) for name, spec in module.MODULE_OPTIONS.items())
    found.update(name="mysql", namespace="data")
    found.update(overrides)
    return found


def test_documentation_lists_exactly_the_module_options():
    documented = yaml.safe_load(module.DOCUMENTATION)["options"]
    assert set(documented) == set(module.MODULE_OPTIONS)
    for name, spec in module.MODULE_OPTIONS.items():
        assert documented[name]["type"] == spec["type"], name
        assert documented[name].get("default") == spec.get("default"), name
        assert documented[name].get("choices") == spec.get("choices"), name


def test_every_password_is_no_log():
    for name in ("root_password", "replication_password", "new_root_password", "new_replication_password"):
        assert module.MODULE_OPTIONS[name]["no_log"] is True, name


def test_every_member_error_kind_says_what_to_do():
    assert set(WHAT_TO_DO) == {"auth", "unreachable", "timeout", "sql"}


def test_good_options_have_no_problem():
    assert check_options(params(), has_pymysql=True) == []


def test_bad_options_are_refused_before_anything_is_read():
    problems = check_options(params(name="My_Set", primary=-1, root_password="a\nb", transport="direct"),
                             has_pymysql=False)
    assert len(problems) == 4
    assert any("primary must be an ordinal" in p for p in problems)
    assert any("root_password must be a non-empty single line" in p for p in problems)
    assert any("PyMySQL" in p for p in problems)
