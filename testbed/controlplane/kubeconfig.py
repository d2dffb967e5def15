"""Kubeconfig files: the admin one users get, and one per control plane component."""

import yaml

from testbed import config
from testbed.controlplane import pki


def write(path, account, server=config.APISERVER_URL):
    """Write a kubeconfig for one of config.TOKEN_USERS that trusts the test bed's CA."""
    user = config.TOKEN_USERS[account][0]
    document = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": "stateful-kube-testbed",
                "cluster": {"server": server, "certificate-authority": str(config.PKI_DIR / "ca.crt")},
            }
        ],
        "users": [{"name": user, "user": {"token": pki.token(account)}}],
        "contexts": [
            {"name": "testbed", "context": {"cluster": "stateful-kube-testbed", "user": user, "namespace": "default"}}
        ],
        "current-context": "testbed",
    }
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    path.chmod(0o600)
    return path
