"""A namespace's PersistentVolumeClaims as the tests see them: which exist, and the volume each is bound to."""

from tests.support.waiting import wait_for


def claims(core_v1, namespace):
    """``{name: claim}`` of the claims in ``namespace`` that are not being deleted."""
    return {claim.metadata.name: claim for claim in core_v1.list_namespaced_persistent_volume_claim(namespace).items
            if not claim.metadata.deletion_timestamp}


def bound_volumes(core_v1, namespace):
    """``{claim: volume}`` of the claims in ``namespace`` that are Bound."""
    return {name: claim.spec.volume_name for name, claim in claims(core_v1, namespace).items()
            if claim.status.phase == "Bound"}


def wait_bound(core_v1, namespace, names, timeout=90):
    """``{claim: volume}`` once every claim in ``names`` is Bound; fails after ``timeout`` s naming the others."""
    names = sorted(names)

    def all_bound():
        bound = bound_volumes(core_v1, namespace)
        return all(name in bound for name in names) and {name: bound[name] for name in names}

    try:
        return wait_for("claims %s to bind" % ", ".join(names), all_bound, timeout=timeout)
    except AssertionError as e:
        seen = {name: claim.status.phase for name, claim in claims(core_v1, namespace).items()}
        raise AssertionError("%s; claims seen: %s" % (e, seen)) from None


def wait_gone(core_v1, namespace, names, timeout=90):
    """Return once none of the claims in ``names`` exists any more (deleted, not only being deleted)."""
    names = set(names)

    def none_left():
        left = names & {claim.metadata.name for claim in core_v1.list_namespaced_persistent_volume_claim(
            namespace).items}
        return not left

    wait_for("claims %s to be deleted" % ", ".join(sorted(names)), none_left, timeout=timeout)
