"""What every integration test shares beyond testbed.testing's fixtures: tests that need a newer server.

``@pytest.mark.kubernetes("1.27")`` marks a test of a field that older servers drop without
a word (``spec.ordinals.start``, ``persistentVolumeClaimRetentionPolicy``): on an older
server (the smoke lane's 1.20) there is nothing to test, so the test is deselected (the
summary counts it, and a line says why), not run to fail nor skipped.
"""


def pytest_configure(config):
    config.addinivalue_line("markers", "kubernetes(release): needs this Kubernetes release or later, e.g. '1.27'; "
                                       "deselected on an older server")


def _needed(item):
    marker = item.get_closest_marker("kubernetes")
    return tuple(int(part) for part in marker.args[0].split(".")) if marker else None


def pytest_collection_modifyitems(config, items):
    if not any(_needed(item) for item in items):
        return
    from kubernetes import config as k8s_config

    from testbed.testing import kubeconfig_path
    from tests.support.cluster import server_release

    release = server_release(k8s_config.new_client_from_config(config_file=str(kubeconfig_path())))
    dropped = [item for item in items if (_needed(item) or (0,)) > release]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in dropped]
        config._stateful_kube_too_new = (release, sorted(set(_needed(item) for item in dropped)), len(dropped))


def pytest_terminal_summary(terminalreporter, config):
    found = getattr(config, "_stateful_kube_too_new", None)
    if found:
        release, needed, count = found
        terminalreporter.write_line("%d test(s) deselected: they need Kubernetes %s, the server is %d.%d"
                                    % (count, ", ".join("%d.%d" % n for n in needed), release[0], release[1]))
