"""A pod's status as the kubelet computes it: phase and conditions from its containers (pure functions)."""


def phase(initialized, init_failed, containers, restart_policy):
    """The pod phase from its containers (the kubelet's rules)."""
    if init_failed:
        return "Failed"
    if not initialized:
        return "Pending"
    waiting = running = stopped = succeeded = 0
    for c in containers:
        if c.running:
            running += 1
        elif "terminated" in c.state or "terminated" in c.last_state:
            stopped += 1
            if c.exit_code == 0:
                succeeded += 1
        else:
            waiting += 1
    if waiting:
        return "Pending"
    if running:
        return "Running"
    if restart_policy == "Always":
        return "Running"
    if stopped == succeeded:
        return "Succeeded"
    if restart_policy == "Never":
        return "Failed"
    return "Running"


def condition_values(initialized, init_names_pending, containers, pod_phase):
    """``{type: (status, reason, message)}`` for Initialized, ContainersReady and Ready."""
    values = {}
    if initialized:
        values["Initialized"] = ("True", None, None)
    else:
        values["Initialized"] = ("False", "ContainersNotInitialized",
                                 "containers with incomplete status: [%s]" % " ".join(init_names_pending))
    unready = [c.name for c in containers if not c.ready]
    if pod_phase == "Succeeded":
        ready = ("False", "PodCompleted", None)
    elif unready:
        ready = ("False", "ContainersNotReady", "containers with unready status: [%s]" % " ".join(unready))
    else:
        ready = ("True", None, None)
    values["ContainersReady"] = ready
    values["Ready"] = ready
    return values
