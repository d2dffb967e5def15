from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import uuid

import pytest

from ansible_collections.stateful.kube.plugins.module_utils.k8s.client import ApiException
from ansible_collections.stateful.kube.plugins.module_utils.k8s.watch import EVENT, SYNC
from ansible_collections.stateful.kube.plugins.module_utils.nfs import cluster as nfs_cluster
from ansible_collections.stateful.kube.plugins.module_utils.nfs.cluster import Cluster, ClusterError
from ansible_collections.stateful.kube.plugins.module_utils.nfs.plan import desired_objects

from kubernetes.dynamic.exceptions import NotFoundError


class Found:
    def __init__(self, value):
        self.value = value

    def to_dict(self):
        return copy.deepcopy(self.value)


class FakeDynamic:
    """kubernetes.core's dynamic client over a dict of objects keyed by (kind, namespace, name)."""

    def __init__(self, objects=()):
        self.objects = dict(((o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]), copy.deepcopy(o))
                            for o in objects)
        self.calls = []

    def resource(self, api_version, kind):
        return FakeResource(self, kind)


class FakeResource:
    def __init__(self, dynamic, kind):
        self.dynamic, self.kind = dynamic, kind

    def _key(self, name, namespace):
        return self.kind, namespace, name

    def get(self, name=None, namespace=None, label_selector=None, **_query):
        self.dynamic.calls.append(("get", self.kind, name))
        if name is None:
            key, _sep, value = label_selector.partition("=")
            return Found({"items": [o for (kind, _ns, _n), o in sorted(self.dynamic.objects.items())
                                    if kind == self.kind and o["metadata"].get("labels", {}).get(key) == value]})
        if self._key(name, namespace) not in self.dynamic.objects:
            raise NotFoundError(ApiException(status=404, reason="Not Found"))
        return Found(self.dynamic.objects[self._key(name, namespace)])

    def create(self, body, namespace=None, **_query):
        self.dynamic.calls.append(("create", self.kind, body["metadata"]["name"]))
        self.dynamic.objects[self._key(body["metadata"]["name"], namespace)] = copy.deepcopy(body)

    def patch(self, body, name, namespace=None, **_query):
        self.dynamic.calls.append(("patch", self.kind, name))
        if self._key(name, namespace) not in self.dynamic.objects:
            raise NotFoundError(ApiException(status=404, reason="Not Found"))
        self.dynamic.objects[self._key(name, namespace)].update(copy.deepcopy(body))

    def delete(self, name, namespace=None, **_query):
        self.dynamic.calls.append(("delete", self.kind, name))
        if self.dynamic.objects.pop(self._key(name, namespace), None) is None:
            raise NotFoundError(ApiException(status=404, reason="Not Found"))


def test_static_mode_sees_the_pvs_asked_for_and_every_pv_with_its_owner_label(static_params, served, fakes, clock):
    desired = desired_objects(static_params)
    leftover = copy.deepcopy(desired[0])
    leftover["metadata"]["name"] = "data-data-redis-7"
    dynamic = FakeDynamic([served(desired[1]), served(leftover)])
    _desired, observed = Cluster(fakes.Clients(dynamic=dynamic), clock).observe(static_params)
    assert sorted(name for name, pv in observed.items() if pv) == ["data-data-redis-1", "data-data-redis-7"]
    assert observed["data-data-redis-0"] is None and observed["data-data-redis-2"] is None


def test_recreate_waits_for_the_old_object_to_go_before_creating_it_again(dynamic_params, served, fakes, clock):
    storage_class = desired_objects(dynamic_params)[-1]
    dynamic = FakeDynamic([served(storage_class)])
    watcher, queue = fakes.watcher(clock, [(1000.0, "object", SYNC, [served(storage_class)]),
                                           (1004.0, "object", EVENT, ("DELETED", served(storage_class)))])
    Cluster(fakes.Clients(dynamic=dynamic), clock, watcher).apply({"action": "recreate", "manifest": storage_class})
    assert [call[0] for call in dynamic.calls] == ["delete", "create"]
    assert clock.now == 1004.0
    assert queue.followed[0][3] == {"field_selector": "metadata.name=nfs-client"}


def test_an_api_error_names_the_action_and_the_object(dynamic_params, fakes, clock):
    account = desired_objects(dynamic_params)[0]
    with pytest.raises(ClusterError) as failed:
        Cluster(fakes.Clients(dynamic=FakeDynamic()), clock).apply({"action": "update", "manifest": account})
    assert str(failed.value).startswith("could not update ServiceAccount storage/nfs-prov: ")


def test_the_deployment_wait_reports_how_long_it_took(dynamic_params, served, fakes, clock):
    deployment = served(desired_objects(dynamic_params)[5])
    deployment["metadata"]["generation"] = 1
    ready = copy.deepcopy(deployment)
    ready["status"] = {"observedGeneration": 1, "availableReplicas": 1, "updatedReplicas": 1}
    watcher, _queue = fakes.watcher(clock, [(1000.0, "object", SYNC, [deployment]),
                                            (1002.5, "object", EVENT, ("MODIFIED", ready))])
    assert Cluster(fakes.Clients(), clock, watcher).wait_deployment("storage", "nfs-prov", 120) == 2.5


def test_a_deployment_that_does_not_come_up_is_explained_by_its_pods(dynamic_params, served, fakes, clock, load):
    deployment = served(desired_objects(dynamic_params)[5])
    deployment["status"] = {"observedGeneration": 1}
    pulling = load("pod_image_pull")
    core = fakes.Api(list_namespaced_pod=lambda namespace, **query: {"items": [pulling]},
                     list_namespaced_event=lambda namespace, **query: load("events_image_pull"))
    watcher, _queue = fakes.watcher(clock, [(1000.0, "object", SYNC, [deployment])])
    with pytest.raises(ClusterError) as failed:
        Cluster(fakes.Clients(core=core), clock, watcher).wait_deployment("storage", "nfs-prov", 120)
    message = str(failed.value)
    assert message.startswith("Deployment storage/nfs-prov not available after 120 s: available 0 of 1, updated 0 "
                              "of 1: pod pull-0: Pending, container app in ImagePullBackOff")
    assert message.endswith("Next: check the image name and tag and that the nodes can pull it (registry, credentials)")


def test_validation_binds_a_claim_reports_its_volume_and_leaves_nothing_behind(dynamic_params, fakes, clock,
                                                                               monkeypatch):
    monkeypatch.setattr(nfs_cluster.uuid, "uuid4", lambda: uuid.UUID("1a2b3c00000000000000000000000000"))
    claim = {"kind": "PersistentVolumeClaim", "metadata": {"name": "nfs-prov-validate-1a2b3c", "namespace": "storage"},
             "spec": {}, "status": {"phase": "Pending"}}
    bound = copy.deepcopy(claim)
    bound["spec"]["volumeName"] = "pvc-0c1d"
    bound["status"]["phase"] = "Bound"
    volume = {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pvc-0c1d"},
              "spec": {"nfs": {"server": "10.0.0.5", "path": "/srv/nfs/kube/storage-validate"}}}
    dynamic = FakeDynamic([volume])
    watcher, _queue = fakes.watcher(clock, [
        (1000.0, "object", SYNC, [claim]),
        (1001.4, "object", EVENT, ("MODIFIED", bound)),
        (1001.5, "object", SYNC, [volume]),
        (1002.9, "object", EVENT, ("DELETED", volume)),
    ])
    report = Cluster(fakes.Clients(dynamic=dynamic), clock, watcher).validate(dynamic_params, 60)
    assert report == {"claim": "storage/nfs-prov-validate-1a2b3c", "storage_class": "nfs-client-validate-1a2b3c",
                      "volume": "pvc-0c1d", "nfs_server": "10.0.0.5", "nfs_path": "/srv/nfs/kube/storage-validate",
                      "bound_after": 1.4, "cleaned_after": 2.9}
    assert [(verb, kind) for verb, kind, _name in dynamic.calls if verb != "get"] == [
        ("create", "StorageClass"), ("create", "PersistentVolumeClaim"), ("delete", "PersistentVolumeClaim"),
        ("delete", "StorageClass")]
    assert list(dynamic.objects) == [("PersistentVolume", None, "pvc-0c1d")]  # the fake's provisioner is the script
