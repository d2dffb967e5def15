"""Fixtures of the local kubelet API tests (no bed needed): a private PKI and a fake pod."""

import os
import ssl
import subprocess
import time
import uuid

import pytest

from testbed import config
from testbed.controlplane import pki
from testbed.node import kubelet_api, state


@pytest.fixture(scope="module")
def local_bed(tmp_path_factory):
    """A private PKI and pods folder, and the server on a free loopback port."""
    root = tmp_path_factory.mktemp("kubelet-api")
    saved = config.PKI_DIR, config.PODS_DIR
    config.PKI_DIR, config.PODS_DIR = root / "pki", root / "pods"
    pki.ensure()
    server, thread = kubelet_api.serve("127.0.0.1", port=0, node_name="node-1")
    context = ssl.create_default_context(cafile=str(config.PKI_DIR / "ca.crt"))
    context.check_hostname = False  # the kubelet certificate names the node addresses, not 127.0.0.1
    context.load_cert_chain(
        config.PKI_DIR / "apiserver-kubelet-client.crt", config.PKI_DIR / "apiserver-kubelet-client.key"
    )
    yield {"port": server.server_address[1], "context": context, "pki": config.PKI_DIR}
    server.shutdown()
    server.server_close()
    thread.join(5)
    config.PKI_DIR, config.PODS_DIR = saved


@pytest.fixture
def container(local_bed, tmp_path):
    """A pod record with one running container "main": sleep in its own net/uts/mount namespaces."""
    record = state.PodRecord("default", "pod-" + uuid.uuid4().hex[:6], uuid.uuid4().hex, "node-1", "", "10.244.1.9")
    state.write_pod(record)
    log = state.log_path(record, "main", 0)
    log.parent.mkdir(parents=True)
    workdir = tmp_path / "work"
    workdir.mkdir()
    with open(log, "wb") as output:
        process = subprocess.Popen(
            ["unshare", "--net", "--uts", "--mount", "sh", "-c", "hostname in-pod; echo started; exec sleep 600"],
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=workdir,
            env={"PATH": os.environ["PATH"], "GREETING": "hello from the pod"},
        )
    state.write_container_pid(record, "main", process.pid)
    deadline = time.monotonic() + 5
    while b"started" not in log.read_bytes() and time.monotonic() < deadline:
        time.sleep(0.02)
    yield record, process, workdir
    process.kill()
    process.wait()
