"""What /proc says about a process, in one place."""


def running(pid):
    """True while ``pid`` runs; a zombie (exited, not yet reaped by its parent) has ended."""
    if pid is None:
        return False
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False
