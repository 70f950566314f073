"""Sending a task by its registered name, eagerly when tasks run in-process."""

from celery import current_app


def send_task_by_name(name: str, *args):
    task = current_app.tasks.get(name)
    if task is not None:
        return task.delay(*args)
    return current_app.send_task(name, args=list(args))
