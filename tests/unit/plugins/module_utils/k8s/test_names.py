from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s import names


def test_a_namespace_is_a_label_and_a_statefulset_name_a_subdomain():
    assert names.name_problem("Namespace", "namespace", "data.prod").startswith(
        "namespace 'data.prod' is not a valid DNS-1123 label")
    assert names.name_problem("StatefulSet", "name", "redis.v2") is None
    assert names.name_problem("StatefulSet", "name", "Redis").startswith(
        "name 'Redis' is not a valid DNS-1123 subdomain")


def test_lengths_follow_the_api_server():
    assert names.label_problem("namespace", "a" * 63) is None
    assert names.label_problem("namespace", "a" * 64)
    assert names.subdomain_problem("name", ".".join(["a" * 63] * 4)[:253]) is None
    assert names.subdomain_problem("name", "a" * 254)


def test_name_problems_lists_only_the_bad_names_in_order():
    assert names.name_problems([("Namespace", "namespace", "ok"), ("Secret", "password_secret.name", None),
                                ("volumeClaimTemplate", "claim", "data_1"), ("Deployment", "name", "-x")]) == [
        "claim 'data_1' is not a valid DNS-1123 label (at most 63 lower case letters, digits and '-', starting and "
        "ending with a letter or digit)",
        "name '-x' is not a valid DNS-1123 subdomain (lower case letters, digits, '-' and '.', starting and ending "
        "with a letter or digit)",
    ]
