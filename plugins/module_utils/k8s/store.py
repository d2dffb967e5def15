# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read and write objects of any kind as plain dicts, through kubernetes.core's dynamic client.

A domain builds its objects (manifests) and plans actions on them with pure functions; this
is where those actions reach the API server. An action is a dict with ``action`` (one of
``create``, ``update``, ``delete``, ``recreate``) and ``manifest``. ``update`` is a merge
patch: it replaces the lists we own (rules, containers) and keeps others' labels.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s.deadline import Deadline
from ansible_collections.stateful.kube.plugins.module_utils.k8s.objects import object_id
from ansible_collections.stateful.kube.plugins.module_utils.k8s.wait import WaitError, Watcher, wait_for

try:
    from kubernetes.dynamic.exceptions import DynamicApiError, NotFoundError
except ImportError:  # the module reports the missing library through new_module()
    NotFoundError = DynamicApiError = Exception

REQUEST_TIMEOUT = 20
# How long a deleted object may take to go before ``recreate`` gives up (finalizers).
RECREATE_SECONDS = 60


class StoreError(Exception):
    """An API call on an object failed, or a deleted object did not go; the message says which and why."""


class Store:
    """Objects through ``clients``; ``watcher`` builds the Watcher of a wait (see ``k8s.wait.wait_for``)."""

    def __init__(self, clients, watcher=Watcher):
        self.clients = clients
        self.watcher = watcher

    def read(self, manifest):
        """The object ``manifest`` names as the API has it (a dict), or None when it does not exist."""
        meta = manifest["metadata"]
        resource = self.clients.resource(manifest["apiVersion"], manifest["kind"])
        try:
            found = resource.get(name=meta["name"], namespace=meta.get("namespace"), _request_timeout=REQUEST_TIMEOUT)
        except NotFoundError:
            return None
        return found.to_dict()

    def observe(self, manifests):
        """``{object_id: object or None}`` for each manifest."""
        return dict((object_id(m), self.read(m)) for m in manifests)

    def labelled(self, api_version, kind, selector, namespace=None):
        """``{name: object}`` of the objects of ``kind`` that ``selector`` (a selector string) matches."""
        resource = self.clients.resource(api_version, kind)
        found = resource.get(label_selector=selector, namespace=namespace, _request_timeout=REQUEST_TIMEOUT)
        return dict((item["metadata"]["name"], item) for item in found.to_dict()["items"])

    def apply(self, action, deadline=None):
        """Carry out one planned action; ``deadline`` bounds the wait of a ``recreate`` for the old object to go."""
        try:
            self._apply(action, deadline)
        except DynamicApiError as e:
            why = e.summary() if hasattr(e, "summary") else str(e)
            raise StoreError("could not %s %s: %s" % (action["action"], object_id(action["manifest"]), why)) from None

    def _apply(self, action, deadline):
        manifest = action["manifest"]
        meta = manifest["metadata"]
        resource = self.clients.resource(manifest["apiVersion"], manifest["kind"])
        namespace = meta.get("namespace")
        verb = action["action"]
        if verb in ("delete", "recreate"):
            try:
                resource.delete(name=meta["name"], namespace=namespace, body={"propagationPolicy": "Background"},
                                _request_timeout=REQUEST_TIMEOUT)
            except NotFoundError:
                pass
            if verb == "recreate":
                self.wait_gone(manifest, deadline or Deadline(RECREATE_SECONDS))
        if verb in ("create", "recreate"):
            resource.create(body=manifest, namespace=namespace, _request_timeout=REQUEST_TIMEOUT)
        elif verb == "update":
            resource.patch(body=manifest, name=meta["name"], namespace=namespace,
                           content_type="application/merge-patch+json", _request_timeout=REQUEST_TIMEOUT)

    def wait_gone(self, manifest, deadline):
        """Return once the object is gone; StoreError naming it when it is still there at ``deadline``."""
        meta = manifest["metadata"]
        try:
            wait_for(self.clients, manifest["kind"], meta.get("namespace"), meta["name"], "gone", deadline,
                     self.watcher)
        except WaitError as e:
            raise StoreError("%s; was it deleted with a finalizer that nothing removes?" % e.message) from None
