from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Worker

from punkt.core.jobs import heartbeat

logger = logging.getLogger("punkt.worker")


class Command(BaseCommand):
    help = "Run a background worker (database queue) that reports a heartbeat."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queue-name", default="*", help="Queues, comma separated; * = all")
        parser.add_argument("--interval", type=float, default=1.0,
                            help="Seconds between polls when idle")
        parser.add_argument("--batch", action="store_true",
                            help="Run what is queued, then exit")
        parser.add_argument("--max-tasks", type=int, default=None)
        parser.add_argument("--worker-id", default="")

    def handle(self, *args: Any, **o: Any) -> None:
        hostname = socket.gethostname()
        worker_id = o["worker_id"] or f"{hostname}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        stop = threading.Event()

        def beat() -> None:
            while not stop.is_set():
                try:
                    heartbeat(worker_id, hostname=hostname, pid=os.getpid())
                except Exception:  # keep beating through database hiccups
                    logger.warning("Heartbeat of %s failed", worker_id, exc_info=True)
                finally:
                    connection.close()
                stop.wait(settings.PUNKT_WORKER_HEARTBEAT_SECONDS)

        heartbeat(worker_id, hostname=hostname, pid=os.getpid())
        thread = threading.Thread(target=beat, name="heartbeat", daemon=True)
        thread.start()
        self.stdout.write(f"Worker {worker_id} started")
        worker = Worker(queue_names=o["queue_name"].split(","), interval=o["interval"],
                        batch=o["batch"], backend_name="default", startup_delay=False,
                        max_tasks=o["max_tasks"], worker_id=worker_id,
                        excluded_queue_names=[])
        worker.configure_signals()
        try:
            worker.run()
        finally:
            stop.set()
            close_old_connections()
