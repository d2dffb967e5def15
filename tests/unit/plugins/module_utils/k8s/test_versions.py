from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s.versions import describe, has, server_release

# /version replies: the test bed's two servers, and a vendor's minor with a "+" (major, minor; the rest unused).
V1_20 = {"major": "1", "minor": "20", "gitVersion": "v1.20.2"}
V1_37 = {"major": "1", "minor": "37", "gitVersion": "v1.37.2"}
V1_27_VENDOR = {"major": "1", "minor": "27+", "gitVersion": "v1.27.16-eks-2d98532"}
V1_26 = {"major": "1", "minor": "26", "gitVersion": "v1.26.15"}


def test_release_reads_vendor_minor_versions():
    assert server_release(V1_27_VENDOR) == (1, 27)
    assert server_release(V1_20) == (1, 20)
    assert server_release({}) is None
    assert server_release(None) is None
    assert server_release({"major": "", "minor": ""}) is None


def test_has_compares_releases_as_numbers():
    assert has(V1_37, (1, 27)) and has(V1_27_VENDOR, (1, 27))
    assert not has(V1_26, (1, 27)) and not has(V1_20, (1, 27))
    assert not has(None, (1, 27))


def test_describe_names_the_release_or_what_was_seen():
    assert describe(V1_20) == "1.20"
    assert describe({}).startswith("of unknown version")
