"""How each control plane component is started and how we know it is healthy.

The flags are the ones Kubernetes needs (see testbed/README.md): service account issuer
and keys on the API server, the signing key and root CA on the controller-manager
(without them the ServiceAccount admission rejects every pod), no insecure ports, no
leader election (one instance each, and election costs seconds at start). ``version``
is the release ("1.20", "1.37"): 1.24 removed the insecure-port flags that 1.20 needs
to turn its insecure ports off.
"""

import json
import ssl
import time
import urllib.error
import urllib.request

from testbed import config
from testbed.controlplane import pki


def _minor(version):
    return int(version.split(".")[1])


def etcd_argv(bin_dir, version):
    etcd = config.KUBE_RELEASES[version]["etcd_version"]
    return [
        str(bin_dir / ("etcd-" + etcd)) if etcd else "etcd",
        "--name=testbed",
        "--data-dir=%s" % config.ETCD_DATA_DIR,
        "--listen-client-urls=%s" % config.ETCD_CLIENT_URL,
        "--advertise-client-urls=%s" % config.ETCD_CLIENT_URL,
        "--listen-peer-urls=%s" % config.ETCD_PEER_URL,
        "--initial-advertise-peer-urls=%s" % config.ETCD_PEER_URL,
        "--initial-cluster=testbed=%s" % config.ETCD_PEER_URL,
        "--listen-metrics-urls=",
        "--log-level=warn",
        # A throwaway test cluster: durability costs fsyncs we do not need.
        "--unsafe-no-fsync",
    ]


def apiserver_argv(bin_dir, version):
    p = config.PKI_DIR
    insecure_port = ["--insecure-port=0"] if _minor(version) < 24 else []
    return [
        str(bin_dir / "kube-apiserver"),
        "--etcd-servers=%s" % config.ETCD_CLIENT_URL,
        "--bind-address=%s" % config.BRIDGE_ADDRESS,
        "--advertise-address=%s" % config.BRIDGE_ADDRESS,
        "--secure-port=%d" % config.APISERVER_PORT,
        *insecure_port,
        "--tls-cert-file=%s" % (p / "apiserver.crt"),
        "--tls-private-key-file=%s" % (p / "apiserver.key"),
        "--client-ca-file=%s" % (p / "ca.crt"),
        "--token-auth-file=%s" % (p / "tokens.csv"),
        "--authorization-mode=Node,RBAC",
        "--service-account-issuer=https://kubernetes.default.svc.%s" % config.CLUSTER_DOMAIN,
        "--service-account-key-file=%s" % (p / "sa.pub"),
        "--service-account-signing-key-file=%s" % (p / "sa.key"),
        "--service-cluster-ip-range=%s" % config.SERVICE_CIDR,
        "--kubelet-client-certificate=%s" % (p / "apiserver-kubelet-client.crt"),
        "--kubelet-client-key=%s" % (p / "apiserver-kubelet-client.key"),
        "--kubelet-preferred-address-types=InternalIP",
        "--allow-privileged=true",
        "--enable-priority-and-fairness=false",
        "--profiling=false",
        "--v=1",
    ]


def controller_manager_argv(bin_dir, version):
    p = config.PKI_DIR
    kubeconfig = config.STATE_DIR / "controller-manager.kubeconfig"
    return [
        str(bin_dir / "kube-controller-manager"),
        "--kubeconfig=%s" % kubeconfig,
        "--authentication-kubeconfig=%s" % kubeconfig,
        "--authorization-kubeconfig=%s" % kubeconfig,
        "--bind-address=127.0.0.1",
        "--secure-port=%d" % config.CONTROLLER_MANAGER_PORT,
        *(["--port=0"] if _minor(version) < 24 else []),
        "--service-account-private-key-file=%s" % (p / "sa.key"),
        "--root-ca-file=%s" % (p / "ca.crt"),
        "--cluster-signing-cert-file=%s" % (p / "ca.crt"),
        "--cluster-signing-key-file=%s" % (p / "ca.key"),
        "--use-service-account-credentials=true",
        "--controllers=*",
        "--leader-elect=false",
        "--service-cluster-ip-range=%s" % config.SERVICE_CIDR,
        "--profiling=false",
        "--v=1",
    ]


def scheduler_argv(bin_dir, version):
    kubeconfig = config.STATE_DIR / "scheduler.kubeconfig"
    return [
        str(bin_dir / "kube-scheduler"),
        "--kubeconfig=%s" % kubeconfig,
        "--authentication-kubeconfig=%s" % kubeconfig,
        "--authorization-kubeconfig=%s" % kubeconfig,
        "--bind-address=127.0.0.1",
        "--secure-port=%d" % config.SCHEDULER_PORT,
        *(["--port=0"] if _minor(version) < 24 else []),
        "--leader-elect=false",
        "--profiling=false",
        "--v=1",
    ]


def _get(url, token=None, verify=True, timeout=2.0):
    context = ssl.create_default_context(cafile=str(config.PKI_DIR / "ca.crt"))
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=timeout, context=context if url.startswith("https") else None) as r:
        return r.status, r.read()


def healthy(component):
    """True if the component answers its health endpoint."""
    try:
        if component == "etcd":
            status, body = _get(config.ETCD_CLIENT_URL + "/health")
            return status == 200 and json.loads(body).get("health") == "true"
        if component == "kube-apiserver":
            status, _ = _get(config.APISERVER_URL + "/readyz", token=pki.token("admin"))
            return status == 200
        port = config.CONTROLLER_MANAGER_PORT if component == "kube-controller-manager" else config.SCHEDULER_PORT
        status, _ = _get("https://127.0.0.1:%d/healthz" % port, verify=False)
        return status == 200
    except (OSError, urllib.error.URLError, ValueError):
        return False


def wait_healthy(component, timeout, is_alive):
    """Wait until ``component`` is healthy; raise with its log's tail if it dies or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if healthy(component):
            return
        if not is_alive():
            break
        time.sleep(0.1)
    log = config.LOG_DIR / (component + ".log")
    tail = log.read_text(errors="replace").splitlines()[-15:] if log.exists() else []
    state = "exited" if not is_alive() else "not healthy after %.0f s" % timeout
    raise RuntimeError("%s %s; last lines of %s:\n%s" % (component, state, log, "\n".join(tail)))


def api_get(path):
    """GET an API path as admin and return the decoded JSON."""
    _, body = _get(config.APISERVER_URL + path, token=pki.token("admin"))
    return json.loads(body)
