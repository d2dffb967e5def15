"""The mysql role's manifests, rendered for both flavors as the role renders them (its own templates, defaults
and vars; the config filter from plugins/filter), and checked as Kubernetes would read them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.stateful.kube.plugins.filter.mysql_config import mysql_config_files
from ansible_collections.stateful.kube.plugins.module_utils.k8s import pod_security
from ansible_collections.stateful.kube.plugins.filter.statefulset import pvc_retention_policy
from ansible_collections.stateful.kube.tests.unit.roles import templating


def render(template, current=None, **overrides):
    variables = templating.role_variables("mysql")
    variables.update({"_mysql_root_password": 'r"o\\ot', "_mysql_replication_password": "repl",
                      "_mysql_pdb_api": "policy/v1"})
    variables.update(overrides)
    # The role's filters (plugins/filter), called as the role would call them.
    start, count = int(variables["mysql_ordinal_start"]), int(variables["mysql_replicas"])
    variables["_mysql_config_files"] = mysql_config_files(
        variables["mysql_flavor"], variables["mysql_version"], range(start, start + count),
        offset=variables["mysql_server_id_offset"], extra=variables["mysql_config"])
    variables["_mysql_pvc_retention"] = pvc_retention_policy(
        variables["mysql_pvc_retention_when_deleted"], variables["mysql_pvc_retention_when_scaled"], current)
    return templating.render("mysql", template, variables)


def config_of(flavor, version):
    (configmap,) = render("configmap", mysql_flavor=flavor, mysql_version=version)
    return configmap["data"]


@pytest.mark.parametrize("flavor, version, server, env, read_only", [
    ("mariadb", "11.4", "mariadbd", "MARIADB_ROOT_PASSWORD_FILE", "read_only = ON"),
    ("mysql", "8.4", "mysqld", "MYSQL_ROOT_PASSWORD_FILE", "super_read_only = ON"),
])
def test_each_flavor_runs_its_server_with_its_settings(flavor, version, server, env, read_only):
    (statefulset,) = render("statefulset", mysql_flavor=flavor, mysql_version=version)
    container = statefulset["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "%s:%s" % (flavor, version)
    assert container["args"] == [server]
    assert env in [e["name"] for e in container["env"]]
    assert read_only in config_of(flavor, version)["replication.cnf"]


def test_pods_pass_pss_restricted():
    (statefulset,) = render("statefulset")
    pod = statefulset["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    for container in pod["containers"] + pod["initContainers"]:
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
        assert "privileged" not in container["securityContext"]
    assert not any("hostPath" in v for v in pod["volumes"])
    assert pod_security.violations(pod, "restricted") == []


def test_a_security_context_override_is_what_the_restricted_check_names():
    (statefulset,) = render("statefulset", mysql_security_context={"allowPrivilegeEscalation": True})
    found = pod_security.violations(statefulset["spec"]["template"]["spec"], "restricted")
    assert ("spec.containers[0].securityContext.allowPrivilegeEscalation", "must be false") in found
    assert ("spec.initContainers[0].securityContext.capabilities.drop", "must include ALL") in found


def test_one_server_file_per_ordinal_from_the_start_ordinal():
    (statefulset,) = render("statefulset", mysql_ordinal_start=3)
    assert statefulset["spec"]["ordinals"] == {"start": 3}
    data = render("configmap", mysql_ordinal_start=3)[0]["data"]
    assert sorted(k for k in data if k.startswith("server-")) == ["server-3.cnf", "server-4.cnf", "server-5.cnf"]


def test_client_defaults_file_escapes_the_password():
    import base64

    (secret,) = render("secret")
    assert base64.b64decode(secret["data"]["client.cnf"]).decode() == '[client]\nuser=root\npassword="r\\"o\\\\ot"\n'


def test_primary_and_read_services_select_by_the_role_label():
    headless, primary, read = render("services")
    assert headless["spec"]["clusterIP"] == "None" and headless["spec"]["publishNotReadyAddresses"] is True
    assert primary["spec"]["selector"]["stateful.kube/mysql-role"] == "primary"
    assert read["spec"]["selector"]["stateful.kube/mysql-role"] == "replica"


def test_claim_retention_and_storage_class_are_variables():
    (statefulset,) = render("statefulset", mysql_storage_class="fast", mysql_pvc_retention_when_scaled="Delete")
    assert statefulset["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"] == "fast"
    assert statefulset["spec"]["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain",
                                                                           "whenScaled": "Delete"}


def test_retain_retain_is_left_out_of_a_new_statefulset():
    (statefulset,) = render("statefulset")
    assert "persistentVolumeClaimRetentionPolicy" not in statefulset["spec"]


def test_a_scale_up_does_not_restart_the_running_pods():
    (three,) = render("statefulset", mysql_replicas=3)
    (four,) = render("statefulset", mysql_replicas=4)
    assert three["spec"]["template"] == four["spec"]["template"]
    (changed,) = render("statefulset", mysql_config={"max_connections": 500})
    assert changed["spec"]["template"] != three["spec"]["template"]


def test_the_filter_refuses_what_the_config_refuses():
    from ansible.errors import AnsibleFilterError

    with pytest.raises(AnsibleFilterError, match="mysql role: mariadb 10.6 is not supported"):
        mysql_config_files("mariadb", "10.6", [0])
