from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.stateful.kube.plugins.module_utils.k8s.claim_retention import policy_to_write, refusal

from .test_versions import V1_20, V1_26, V1_27_VENDOR, V1_37


def test_retain_retain_is_left_out_until_the_statefulset_has_the_field():
    assert policy_to_write("Retain", "Retain") == {}
    assert policy_to_write("Retain", "Retain", {"spec": {"replicas": 3}}) == {}
    had = {"spec": {"persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"}}}
    assert policy_to_write("Retain", "Retain", had) == {"whenDeleted": "Retain", "whenScaled": "Retain"}


def test_a_delete_is_always_written():
    assert policy_to_write("Delete", "Retain") == {"whenDeleted": "Delete", "whenScaled": "Retain"}
    assert policy_to_write("Retain", "Delete", {"spec": {}}) == {"whenDeleted": "Retain", "whenScaled": "Delete"}


@pytest.mark.parametrize("version", [V1_37, V1_27_VENDOR])
def test_servers_from_1_27_take_a_delete(version):
    assert refusal(version, "Delete", "Delete") == ""


@pytest.mark.parametrize("version", [V1_20, V1_26, {}, None])
def test_retain_is_never_refused(version):
    assert refusal(version, "Retain", "Retain") == ""


def test_an_older_server_is_refused_naming_the_setting_the_version_and_what_to_do():
    found = refusal(V1_20, "Retain", "Delete", ("db_when_deleted", "db_when_scaled"))
    assert found.startswith("db_when_scaled: Delete needs Kubernetes 1.27 or later")
    assert "this server is 1.20" in found
    assert "set db_when_scaled back to Retain" in found
    assert "db_when_deleted" not in found


def test_a_server_of_unknown_version_is_refused():
    assert "unknown version" in refusal({"major": "", "minor": ""}, "Delete", "Retain")
