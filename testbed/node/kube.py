"""The agent's API access: one client (with a pool big enough for a thread per pod) and raw-JSON helpers.

The agent works on plain dicts as the API serves them (camelCase, no model classes):
deserialising into the client's models costs more CPU than the rest of a pod start.
"""

import json
from datetime import UTC, datetime

from kubernetes import client
from kubernetes import config as kube_config
from kubernetes.client.rest import ApiException

STRATEGIC_MERGE = "application/strategic-merge-patch+json"


class Kube:
    """Typed API groups over one connection pool."""

    def __init__(self, kubeconfig):
        configuration = client.Configuration()
        kube_config.load_kube_config(config_file=str(kubeconfig), client_configuration=configuration)
        configuration.connection_pool_maxsize = 64
        self.api_client = client.ApiClient(configuration)
        self.core = client.CoreV1Api(self.api_client)
        self.coordination = client.CoordinationV1Api(self.api_client)
        self.version = client.VersionApi(self.api_client)


def raw(call, *args, **kwargs):
    """Call a client method and return the response body as a dict (no model deserialisation)."""
    response = call(*args, _preload_content=False, **kwargs)
    data = response.data
    return json.loads(data) if data else {}


def get_or_none(call, *args, **kwargs):
    """Like ``raw`` but None when the object does not exist."""
    try:
        return raw(call, *args, **kwargs)
    except ApiException as e:
        if e.status == 404:
            return None
        raise


def now():
    """An RFC 3339 timestamp (what metav1.Time serialises to: seconds)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_micro():
    """An RFC 3339 timestamp with microseconds (metav1.MicroTime, e.g. a Lease's renewTime)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def timestamp(epoch):
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
