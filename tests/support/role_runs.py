"""Reading a role's playbook run in tests: one task's result, the tasks that changed, success."""


def task_result(result, task, role):
    """The last result of ``task`` (of ``role``, or of the playbook itself); fails the test when it did not run."""
    found = result.task_results("stateful.kube.%s : %s" % (role, task)) + result.task_results(task)
    assert found, "task %r did not run: %s\n%s" % (task, result.stdout[-4000:], result.stderr[-2000:])
    return found[-1]


def changed_tasks(result):
    """The names of the tasks that reported a change: what a failed "changes nothing" assertion shows."""
    return [task["task"]["name"] for play in result.report.get("plays", []) for task in play.get("tasks", [])
            if any(host.get("changed") for host in task["hosts"].values())]


def assert_ok(result):
    assert result.rc == 0, "playbook failed: %s\n%s" % (result.stdout[-6000:], result.stderr[-2000:])


def tasks_run(result):
    """The names of the tasks that ran (not skipped on every host), in the order they ran."""
    return [task["task"]["name"] for play in result.report.get("plays", []) for task in play.get("tasks", [])
            if not all(host.get("skipped") for host in task["hosts"].values())]
