# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's one client factory.

Every module of ours authenticates exactly as kubernetes.core does: same options (its
``AUTH_ARG_SPEC``, documented by its ``k8s_auth_options`` doc fragment), same kubeconfig,
context and ``K8S_AUTH_*`` handling, because the client comes from its ``get_api_client``.
What we add is access to the typed APIs (CoreV1Api, AppsV1Api, ...) and the watch API,
which the dynamic client does not offer.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

try:
    from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException
except ImportError:  # kubernetes.core missing: the module says so through requires() below
    AUTH_ARG_SPEC = {}
    AnsibleK8SModule = None
    get_api_client = None
    CoreException = Exception

try:
    import kubernetes  # noqa: F401 pylint: disable=unused-import
    from kubernetes import client as k8s_client
    from kubernetes.client.rest import ApiException  # noqa: F401 pylint: disable=unused-import

    HAS_KUBERNETES = True
except ImportError:
    k8s_client = None
    ApiException = Exception
    HAS_KUBERNETES = False


def argument_spec(module_options):
    """The module's own options plus kubernetes.core's auth options."""
    spec = copy.deepcopy(AUTH_ARG_SPEC)
    spec.update(module_options)
    return spec


def new_module(module_options, **kwargs):
    """An AnsibleK8SModule (checks that the kubernetes library is there) with auth options added."""
    if AnsibleK8SModule is None:
        from ansible.module_utils.basic import AnsibleModule

        module = AnsibleModule(argument_spec=module_options, **kwargs)
        module.fail_json(msg="This module needs the kubernetes.core collection (>= 5.0.0).")
    return AnsibleK8SModule(argument_spec=argument_spec(module_options), **kwargs)


class Clients:
    """Typed API objects sharing one authenticated ApiClient built by kubernetes.core."""

    def __init__(self, module):
        try:
            self.k8s = get_api_client(module=module)
        except CoreException as e:
            module.fail_json(msg="Could not create a Kubernetes API client: %s" % e)
        # K8SClient -> K8SDynamicClient -> kubernetes.client.ApiClient
        self.api_client = self.k8s.client.client
        self.core = k8s_client.CoreV1Api(self.api_client)
        self.apps = k8s_client.AppsV1Api(self.api_client)
        self.storage = k8s_client.StorageV1Api(self.api_client)
        self.rbac = k8s_client.RbacAuthorizationV1Api(self.api_client)
