from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.stateful.kube.plugins.module_utils.k8s.objects import object_id
from ansible_collections.stateful.kube.plugins.module_utils.nfs import diff, manifests, plan
from ansible_collections.stateful.kube.plugins.module_utils.nfs.plan import decide, desired_objects

OWNER = "storage.nfs-prov"


def _observed(served, objects, **overrides):
    found = dict((object_id(o), served(o)) for o in objects)
    found.update(overrides)
    return found


def test_server_defaults_are_not_drift(dynamic_params, served):
    for wanted in desired_objects(dynamic_params):
        assert plan.classify(wanted, served(wanted), OWNER) == "in_sync", wanted["kind"]


def test_nothing_to_do_when_everything_is_in_sync(dynamic_params, served):
    objects = desired_objects(dynamic_params)
    actions, problems = plan.plan_present(objects, _observed(served, objects), OWNER)
    assert (actions, problems) == ([], [])


def test_missing_objects_are_created_in_order(dynamic_params, served):
    objects = desired_objects(dynamic_params)
    observed = _observed(served, objects)
    del observed["StorageClass nfs-client"]
    observed["ServiceAccount storage/nfs-prov"] = None
    actions, problems = plan.plan_present(objects, observed, OWNER)
    assert problems == []
    assert [(a["action"], a["object"]) for a in actions] == [
        ("create", "ServiceAccount storage/nfs-prov"), ("create", "StorageClass nfs-client")]
    assert actions[0]["before"] == {} and actions[0]["after"] == objects[0]


def test_changed_image_updates_the_deployment_with_a_diff_of_our_fields(dynamic_params, served):
    objects = desired_objects(dynamic_params)
    observed = _observed(served, objects)
    dynamic_params["image"] = "registry.k8s.io/sig-storage/nfs-subdir-external-provisioner:v4.0.3"
    wanted = desired_objects(dynamic_params)
    actions, problems = plan.plan_present(wanted, observed, OWNER)
    assert problems == []
    assert [(a["action"], a["object"]) for a in actions] == [("update", "Deployment storage/nfs-prov")]
    before = actions[0]["before"]["spec"]["template"]["spec"]["containers"][0]
    assert before["image"].endswith(":v4.0.2")
    # Only the fields we set appear in the diff, not the server's defaults.
    assert "imagePullPolicy" not in before
    assert actions[0]["after"]["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":v4.0.3")


def test_an_object_we_did_not_make_is_never_taken_over(dynamic_params, served):
    objects = desired_objects(dynamic_params)
    foreign = served(objects[-1])
    del foreign["metadata"]["labels"][manifests.OWNER_LABEL]
    observed = _observed(served, objects, **{"StorageClass nfs-client": foreign})
    actions, problems = plan.plan_present(objects, observed, OWNER)
    assert actions == []
    assert problems == ["StorageClass nfs-client exists but was not made by this module (it has no "
                        "stateful.kube/nfs-provisioner=storage.nfs-prov label): delete or rename it, or choose "
                        "another name"]


def test_changed_storage_class_parameters_fail_with_the_way_out(dynamic_params, served):
    objects = desired_objects(dynamic_params)
    observed = _observed(served, objects)
    dynamic_params["storage_class"]["archive_on_delete"] = False
    actions, problems = plan.plan_present(desired_objects(dynamic_params), observed, OWNER)
    assert actions == []
    assert len(problems) == 1
    assert problems[0].startswith("StorageClass nfs-client differs in parameters, which Kubernetes does not allow")
    assert "{'parameters': {'archiveOnDelete': 'true'}}" in problems[0]
    assert "{'parameters': {'archiveOnDelete': 'false'}}" in problems[0]
    assert "recreate_storageclass: true" in problems[0]


def test_a_parameter_no_longer_set_is_a_difference_too(dynamic_params, served):
    dynamic_params["storage_class"]["path_pattern"] = "${.PVC.name}"
    observed = _observed(served, desired_objects(dynamic_params))
    dynamic_params["storage_class"]["path_pattern"] = None
    actions, problems = plan.plan_present(desired_objects(dynamic_params), observed, OWNER)
    assert actions == [] and "differs in parameters" in problems[0]


def test_recreate_storageclass_recreates_only_the_class(dynamic_params, served):
    observed = _observed(served, desired_objects(dynamic_params))
    dynamic_params["storage_class"]["reclaim_policy"] = "Retain"
    actions, problems = plan.plan_present(desired_objects(dynamic_params), observed, OWNER,
                                          recreate_storageclass=True)
    assert problems == []
    assert [(a["action"], a["object"]) for a in actions] == [("recreate", "StorageClass nfs-client")]


def test_mount_options_and_default_class_change_in_place(dynamic_params, served):
    observed = _observed(served, desired_objects(dynamic_params))
    dynamic_params["storage_class"]["mount_options"] = ["nfsvers=4.1"]
    dynamic_params["storage_class"]["default_class"] = True
    actions, problems = plan.plan_present(desired_objects(dynamic_params), observed, OWNER)
    assert problems == []
    assert [(a["action"], a["object"]) for a in actions] == [("update", "StorageClass nfs-client")]


def test_absent_deletes_our_objects_newest_first_and_leaves_others(dynamic_params, served):
    objects = desired_objects(dynamic_params)
    foreign = served(objects[1])
    foreign["metadata"]["labels"] = {}
    observed = _observed(served, objects, **{"ClusterRole storage-nfs-prov": foreign,
                                             "Role storage/nfs-prov-leader-election": None})
    actions, skipped = plan.plan_absent(objects, observed, OWNER)
    assert [a["object"] for a in actions] == [
        "StorageClass nfs-client", "Deployment storage/nfs-prov", "RoleBinding storage/nfs-prov-leader-election",
        "ClusterRoleBinding storage-nfs-prov", "ServiceAccount storage/nfs-prov"]
    assert all(a["action"] == "delete" and a["after"] == {} for a in actions)
    assert skipped == ["ClusterRole storage-nfs-prov was not made by this module: left alone"]


def test_decide_reports_states_actions_and_diff(dynamic_params, served):
    objects = desired_objects(dynamic_params)
    observed = _observed(served, objects, **{"Deployment storage/nfs-prov": None})
    result = decide(dynamic_params, objects, observed)
    assert result["report"]["actions"] == ["create Deployment storage/nfs-prov"]
    assert result["report"]["objects"]["Deployment storage/nfs-prov"] == "absent"
    assert result["report"]["objects"]["StorageClass nfs-client"] == "in_sync"
    assert result["diff"] == {"before": {"Deployment storage/nfs-prov": {}},
                              "after": {"Deployment storage/nfs-prov": objects[5]}}


def test_contains_compares_lists_by_position_and_length():
    assert plan.contains({"a": [1, {"b": 2, "c": 3}]}, {"a": [1, {"b": 2}]})
    assert not plan.contains({"a": [1, 2]}, {"a": [1]})
    assert not plan.contains(None, {"a": 1})
    assert diff.project({"a": 1, "b": {"c": 2, "d": 3}}, {"b": {"c": 0}, "e": 1}) == {"b": {"c": 2}}
    assert copy.deepcopy(diff.project([1, 2, 3], [0])) == [1, 2, 3]
