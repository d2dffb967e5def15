from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.statefulset.options import check_options

GOOD = {"name": "web", "namespace": "demo", "timeout": 300, "replicas": None, "ready_for": 0, "unready_timeout": None}


def test_sensible_options_pass():
    assert check_options(GOOD) == []


def test_each_bad_option_is_named():
    problems = check_options(dict(GOOD, name="Web_1", timeout=0, replicas=-1, unready_timeout=0))
    assert len(problems) == 4
    # One rule per kind of name (k8s.names): a StatefulSet's name is a DNS-1123 subdomain.
    assert problems[0].startswith("name 'Web_1' is not a valid DNS-1123 subdomain")
    assert "timeout must be a positive number of seconds, got 0" in problems


def test_ready_for_must_fit_in_the_timeout():
    assert check_options(dict(GOOD, ready_for=300)) == ["ready_for (300 s) must be shorter than timeout (300 s)"]
