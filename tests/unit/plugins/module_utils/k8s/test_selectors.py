from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.stateful.kube.plugins.module_utils.k8s import selectors


def test_selector_joins_labels_and_expressions():
    statefulset = {"spec": {"selector": {
        "matchLabels": {"app": "web", "tier": "db"},
        "matchExpressions": [
            {"key": "zone", "operator": "In", "values": ["a", "b"]},
            {"key": "canary", "operator": "DoesNotExist"},
            {"key": "track", "operator": "NotIn", "values": ["old"]},
            {"key": "owner", "operator": "Exists"},
        ]}}}
    assert selectors.selector_of(statefulset) == "app=web,tier=db,zone in (a,b),!canary,track notin (old),owner"


def test_unknown_selector_operator_is_an_error_not_a_match_all():
    with pytest.raises(ValueError):
        selectors.selector_of({"metadata": {"name": "web"},
                               "spec": {"selector": {"matchExpressions": [{"key": "a", "operator": "Gt"}]}}})
