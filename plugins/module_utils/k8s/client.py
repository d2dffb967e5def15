# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's one client factory.

Every module of ours authenticates exactly as kubernetes.core does: same options (its
``AUTH_ARG_SPEC``, documented by its ``k8s_auth_options`` doc fragment), same kubeconfig,
context and ``K8S_AUTH_*`` handling, because the client comes from its ``get_api_client``.
What we add is access to the typed APIs (CoreV1Api, AppsV1Api, ...) and the watch API,
which the dynamic client does not offer.

Nothing is built before it is used: a module that fails on its options never reads a
kubeconfig, and a run that needs only CoreV1Api builds only that.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import functools
import re

try:
    from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException
except ImportError:  # kubernetes.core missing: new_module() says so
    AUTH_ARG_SPEC = {}
    AnsibleK8SModule = None
    get_api_client = None
    CoreException = Exception

try:
    from kubernetes import client as k8s_client
    # ApiException is imported from here by the other files of this layer.
    from kubernetes.client.rest import ApiException  # noqa: F401 pylint: disable=unused-import

    HAS_KUBERNETES = True
except ImportError:  # AnsibleK8SModule reports the missing library before any client is built
    k8s_client = None
    ApiException = Exception
    HAS_KUBERNETES = False


class ClientError(Exception):
    """No client could be built from the auth options (kubeconfig, context, host...)."""


def argument_spec(module_options):
    """The module's own options plus kubernetes.core's auth options."""
    spec = copy.deepcopy(AUTH_ARG_SPEC)
    spec.update(module_options)
    return spec


def new_module(module_options, **kwargs):
    """An AnsibleK8SModule (checks that the kubernetes library is there) with auth options added.

    ``kwargs`` are AnsibleModule's: ``supports_check_mode``, ``required_if``, ``mutually_exclusive``...
    """
    if AnsibleK8SModule is None:
        from ansible.module_utils.basic import AnsibleModule

        module = AnsibleModule(argument_spec=module_options, **kwargs)
        module.fail_json(msg="This module needs the kubernetes.core collection (>= 5.0.0).")
    return AnsibleK8SModule(argument_spec=argument_spec(module_options), **kwargs)


# The typed-API calls of this layer that want raw JSON (``_preload_content=False``: read_json
# and the watches) are sent through the dynamic client's request() instead. Since kubernetes
# 35 the typed API classes import pydantic models when first touched: CoreV1Api and
# AppsV1Api load some 285 modules, over 1 s of CPU, more than all the rest of a run that has
# nothing to do (bench/module_noop). Any other call goes to the typed API, imported then.
RAW_PATHS = {
    "list_namespaced_pod": "/api/v1/namespaces/{namespace}/pods",
    "list_namespaced_event": "/api/v1/namespaces/{namespace}/events",
    "read_namespaced_secret": "/api/v1/namespaces/{namespace}/secrets/{name}",
    "read_namespaced_persistent_volume_claim": "/api/v1/namespaces/{namespace}/persistentvolumeclaims/{name}",
    "list_namespaced_stateful_set": "/apis/apps/v1/namespaces/{namespace}/statefulsets",
    "read_namespaced_stateful_set": "/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}",
    "read_storage_class": "/apis/storage.k8s.io/v1/storageclasses/{name}",
}


class LazyApi:
    """A typed API (``CoreV1Api``...) built on first use; its raw-JSON calls in RAW_PATHS never build it."""

    def __init__(self, class_name, clients):
        self._class_name = class_name
        self._clients = clients
        self._dynamic = clients.dynamic  # kubernetes.core's client is built (or fails) here, as for a typed API
        self._typed = None

    def __getattr__(self, method):
        if method in RAW_PATHS:
            return functools.partial(self._call, method)
        return getattr(self._typed_api(), method)

    def _typed_api(self):
        if self._typed is None:
            self._typed = getattr(k8s_client, self._class_name)(self._clients.api_client)
        return self._typed

    def _call(self, method, *args, **kwargs):
        if kwargs.get("_preload_content", True):
            return getattr(self._typed_api(), method)(*args, **kwargs)
        kwargs.pop("_preload_content")
        path = RAW_PATHS[method]
        # The typed API's positional arguments: name (when the path has one), then namespace.
        names = [arg for arg in ("name", "namespace") if "{%s}" % arg in path]
        values = dict((names[index], value) for index, value in enumerate(args))
        values.update((arg, kwargs.pop(arg)) for arg in names if arg in kwargs)
        path = re.sub(r"{(\w+)}", lambda found: values[found.group(1)], path)
        return self._dynamic.request("get", path, serialize=False, **kwargs)


class Clients:
    """kubernetes.core's client for ``module``, built on first use, and typed APIs sharing its ApiClient.

    ``dynamic`` is the dynamic client (any kind, by apiVersion and kind: ``resource()``);
    ``api_client`` the authenticated ``kubernetes.client.ApiClient``; ``core``, ``apps``,
    ``storage`` and ``rbac`` the typed APIs, for watches, logs and exec.
    """

    def __init__(self, module):
        self.module = module
        self._k8s = None
        self._typed = {}

    @property
    def k8s(self):
        """kubernetes.core's K8SClient (raises ClientError when the auth options do not give one)."""
        if self._k8s is None:
            try:
                self._k8s = get_api_client(module=self.module)
            except CoreException as e:
                raise ClientError("Could not create a Kubernetes API client: %s" % e) from e
        return self._k8s

    @property
    def dynamic(self):
        return self.k8s.client

    @property
    def api_client(self):
        # kubernetes.core offers no accessor for the ApiClient under its dynamic client;
        # DynamicClient keeps it as its public ``client`` attribute. This is the one place
        # that goes through it, so the typed APIs share kubernetes.core's authentication.
        return self.k8s.client.client

    def resource(self, api_version, kind):
        """The dynamic client's resource for ``api_version`` and ``kind``."""
        return self.dynamic.resources.get(api_version=api_version, kind=kind)

    def _typed_api(self, name):
        if name not in self._typed:
            self._typed[name] = LazyApi(name, self)
        return self._typed[name]

    @property
    def core(self):
        return self._typed_api("CoreV1Api")

    @property
    def apps(self):
        return self._typed_api("AppsV1Api")

    @property
    def storage(self):
        return self._typed_api("StorageV1Api")

    @property
    def rbac(self):
        return self._typed_api("RbacAuthorizationV1Api")
