from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.nfs.options import check_options


def test_good_options_have_no_problems(dynamic_params, static_params):
    assert check_options(dynamic_params) == []
    assert check_options(static_params) == []


def test_names_that_are_not_dns_1123_are_named(dynamic_params):
    dynamic_params["namespace"] = "Storage"
    dynamic_params["storage_class"]["name"] = "nfs_client"
    problems = check_options(dynamic_params)
    assert problems == [
        "namespace 'Storage' is not a valid DNS-1123 label (at most 63 lower case letters, digits and '-', "
        "starting and ending with a letter or digit)",
        "storage_class.name 'nfs_client' is not a valid DNS-1123 subdomain (lower case letters, digits, '-' and "
        "'.', starting and ending with a letter or digit)",
    ]


def test_present_needs_a_server_and_an_absolute_path(dynamic_params):
    dynamic_params.update(nfs_server=None, nfs_path="srv/nfs")
    assert check_options(dynamic_params) == [
        "nfs_server is required with state: present",
        "nfs_path must be an absolute path on the NFS server, got 'srv/nfs'",
    ]
    dynamic_params["state"] = "absent"
    assert check_options(dynamic_params) == []


def test_static_mode_checks_its_names_and_needs_its_options(static_params):
    static_params["static"]["statefulset"] = "Redis"
    # One rule per kind of name (k8s.names): a StatefulSet's name is a DNS-1123 subdomain.
    assert check_options(static_params)[0].startswith("static.statefulset 'Redis' is not a valid DNS-1123 subdomain")
    static_params["static"] = None
    assert check_options(static_params) == [
        "mode: static needs the static option (statefulset, claim_template, replicas)"]
