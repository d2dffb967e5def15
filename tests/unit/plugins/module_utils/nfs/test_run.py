from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.stateful.kube.plugins.module_utils.k8s.errors import ModuleFailure
from ansible_collections.stateful.kube.plugins.module_utils.nfs.manifests import dynamic_objects
from ansible_collections.stateful.kube.plugins.module_utils.nfs.run import check_pod_security


def namespace(level=None):
    labels = {"pod-security.kubernetes.io/enforce": level} if level else {}
    return {"metadata": {"name": "storage", "labels": labels}}


def test_the_default_deployment_passes_baseline_and_an_unlabelled_namespace(dynamic_params):
    check_pod_security(dynamic_params, namespace("baseline"), dynamic_objects(dynamic_params))
    check_pod_security(dynamic_params, namespace(), dynamic_objects(dynamic_params))
    check_pod_security(dynamic_params, None, dynamic_objects(dynamic_params))


def test_a_restricted_namespace_is_refused_before_any_change_naming_the_nfs_volume(dynamic_params):
    with pytest.raises(ModuleFailure) as refused:
        check_pod_security(dynamic_params, namespace("restricted"), dynamic_objects(dynamic_params))
    assert 'namespace storage enforces Pod Security "restricted"' in str(refused.value)
    assert "Deployment storage/nfs-prov" in str(refused.value)
    assert "spec.volumes[nfs-client-root].nfs nfs volumes are not allowed" in str(refused.value)


def test_a_baseline_namespace_refuses_a_privileged_override(dynamic_params):
    dynamic_params["security_context"] = {"privileged": True}
    with pytest.raises(ModuleFailure) as refused:
        check_pod_security(dynamic_params, namespace("baseline"), dynamic_objects(dynamic_params))
    assert "spec.containers[0].securityContext.privileged must be unset or false" in str(refused.value)


def test_static_mode_checks_the_pod_that_makes_the_folders(static_params):
    with pytest.raises(ModuleFailure) as refused:
        check_pod_security(static_params, namespace("restricted"), [])
    assert "the pod that makes the static PVs' folders in data" in str(refused.value)
    assert "spec.volumes[export].nfs nfs volumes are not allowed" in str(refused.value)
    static_params["static"]["create_directories"] = False
    check_pod_security(static_params, namespace("restricted"), [])


def test_nothing_is_checked_when_removing(dynamic_params):
    dynamic_params["state"] = "absent"
    check_pod_security(dynamic_params, namespace("restricted"), dynamic_objects(dynamic_params))
