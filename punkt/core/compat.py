from django.tasks.base import TaskResultStatus

__all__ = ["TaskResultStatus"]
