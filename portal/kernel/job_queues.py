"""Where jobs wait and who runs them: the queues behind ``portal.kernel.jobs``.

Dramatiq carries the messages. It was chosen for what this portal needs of a queue with
no extra service beyond Redis: retries with exponential backoff built in, a worker that
acknowledges a message only once its job is done (a worker killed mid-job leaves the
message to be handed to another worker once its heartbeat stops), time limits per job,
and an in-memory broker that runs the same middleware, so the default set-up (no Redis)
behaves like the production one.

- ``thread`` (no ``TANDEM_REDIS_URL``): an in-memory broker and one worker thread per app
  process, started by the first request; nothing to install or run besides the portal.
- ``redis``: messages wait in Redis; ``flask --app portal worker`` processes run them, on
  any host, and ``flask --app portal scheduler`` asks for the periodic ones.
- ``held``: jobs are kept in a list until :meth:`HeldQueue.run_held` runs them in the
  caller's thread, for tests and benchmarks that decide when background work happens.
"""

import logging
import threading
from collections.abc import Iterable
from typing import Any

import dramatiq
from apscheduler.schedulers.background import BackgroundScheduler
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import AgeLimit, Middleware, Retries, ShutdownNotifications, TimeLimit
from flask import Flask

from portal.kernel.job_schedule import fill
from portal.kernel.jobs import JobSpec, Queued, perform, record_failure

log = logging.getLogger(__name__)

QUEUE_NAME = "tandem"
# An idle worker asks for work this often (Dramatiq backs off to it): a job asked for
# when nothing else runs starts within about this many milliseconds.
IDLE_POLL_MS = 100
MODES = ("thread", "redis", "held")


class JobQueue:
    """What every queue offers: declare a kind of job, send one, count what waits."""

    mode = ""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.specs: dict[str, JobSpec] = {}

    def declare(self, spec: JobSpec) -> None:
        if spec.name in self.specs:
            raise ValueError(f"The job {spec.name!r} is declared twice")
        self.specs[spec.name] = spec

    def spec(self, name: str) -> JobSpec:
        try:
            return self.specs[name]
        except KeyError:
            raise ValueError(f"Unknown job {name!r}; declared: {sorted(self.specs)}") from None

    def send(self, queued: Queued) -> None:
        raise NotImplementedError

    def waiting(self) -> int:
        """Jobs waiting or running (0 where the queue cannot tell)."""
        raise NotImplementedError

    def start(self) -> None:
        """Start running jobs in this process, where the mode does that."""

    def run_held(self) -> int:
        raise RuntimeError("Only a 'held' job queue runs jobs on request")


class HeldQueue(JobQueue):
    """Jobs wait in a list until :meth:`run_held`; for tests and benchmarks."""

    mode = "held"

    def __init__(self, app: Flask) -> None:
        super().__init__(app)
        self.held: list[Queued] = []
        self._lock = threading.Lock()

    def send(self, queued: Queued) -> None:
        with self._lock:
            self.held.append(queued)

    def waiting(self) -> int:
        return len(self.held)

    def run_held(self) -> int:
        count = 0
        while True:
            with self._lock:
                if not self.held:
                    return count
                queued = self.held.pop(0)
            count += 1
            try:
                perform(self.app, self.spec(queued.name), queued.arguments, queued.request_id)
            except Exception as error:  # noqa: BLE001 - listed, as a worker would after retries
                record_failure(self.app, queued, f"{type(error).__name__}: {error}", 1)


class _GiveUp(Middleware):
    """Lists a job among the failed ones once Retries has given up on it and marked the
    message failed."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def after_process_message(self, broker, message, *, result=None, exception=None):
        if exception is None or not message.failed:
            return
        queued = Queued(message.actor_name, **message.kwargs)
        error = message.options.get("traceback") or f"{type(exception).__name__}: {exception}"
        attempts = message.options.get("retries", 0)
        try:
            record_failure(self.app, queued, error, attempts)
        except Exception:  # noqa: BLE001 - the message stays in the broker's dead letters
            log.exception("Could not list the failed job %s", queued)


class DramatiqQueue(JobQueue):
    """A queue on a Dramatiq broker: one actor per kind of job."""

    def __init__(self, app: Flask, broker: dramatiq.Broker) -> None:
        super().__init__(app)
        self.broker = broker
        self.actors: dict[str, dramatiq.Actor] = {}
        broker.declare_queue(QUEUE_NAME)

    @staticmethod
    def middleware(app: Flask) -> list[Middleware]:
        config = app.config
        # "after" hooks run last to first: _GiveUp, listed before Retries, sees the message
        # once Retries has decided whether to try it again.
        return [
            AgeLimit(),
            TimeLimit(),
            ShutdownNotifications(),
            _GiveUp(app),
            Retries(
                min_backoff=int(config["JOB_MIN_BACKOFF_SECONDS"] * 1000),
                max_backoff=int(config["JOB_MAX_BACKOFF_SECONDS"] * 1000),
            ),
        ]

    def declare(self, spec: JobSpec) -> None:
        super().declare(spec)
        app = self.app

        def run(arguments: dict[str, Any], request_id: str | None = None) -> None:
            perform(app, spec, arguments, request_id)

        self.actors[spec.name] = dramatiq.Actor(
            run,
            broker=self.broker,
            actor_name=spec.name,
            queue_name=QUEUE_NAME,
            priority=0,
            options={
                "max_retries": spec.max_retries,
                "time_limit": spec.time_limit_seconds * 1000,
            },
        )

    def send(self, queued: Queued) -> None:
        self.actors[queued.name].send_with_options(
            kwargs={"arguments": queued.arguments, "request_id": queued.request_id}
        )


class ThreadQueue(DramatiqQueue):
    """An in-memory broker and one worker thread in this process, started on demand."""

    mode = "thread"

    def __init__(self, app: Flask) -> None:
        super().__init__(app, StubBroker(middleware=self.middleware(app)))
        self.worker: dramatiq.Worker | None = None
        self.scheduler: BackgroundScheduler | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        if self.worker is not None:  # every request asks; only the first starts
            return
        with self._lock:
            if self.worker is not None:
                return
            self.worker = dramatiq.Worker(
                self.broker, worker_threads=1, worker_timeout=IDLE_POLL_MS
            )
            self.worker.start()
            self.scheduler = BackgroundScheduler(timezone=self.app.config["TIMEZONE"])
            fill(self.app, self.scheduler)
            self.scheduler.start()
        log.info("Background jobs run in a thread of process %s", threading.get_native_id())

    def waiting(self) -> int:
        queues = self.broker.queues
        return sum(queue.qsize() for queue in queues.values())

    def stop(self) -> None:
        """Stop the worker thread (tests and commands that started one)."""
        with self._lock:
            worker, self.worker = self.worker, None
            scheduler, self.scheduler = self.scheduler, None
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        if worker is not None:
            worker.stop(timeout=10_000)


class RedisQueue(DramatiqQueue):
    """Messages wait in Redis for `flask --app portal worker` processes on any host."""

    mode = "redis"

    def __init__(self, app: Flask) -> None:
        # Imported only for this mode: the Redis client is a tenth of the portal's import
        # time, and the other modes, the CLI and the tests' processes never use it.
        from dramatiq.brokers.redis import RedisBroker

        config = app.config
        broker = RedisBroker(
            url=config["REDIS_URL"],
            namespace=config["JOB_NAMESPACE"],
            heartbeat_timeout=int(config["JOB_HEARTBEAT_SECONDS"] * 1000),
            middleware=self.middleware(app),
        )
        super().__init__(app, broker)

    def waiting(self) -> int:
        broker: Any = self.broker
        return sum(int(broker.do_qsize(name)) for name in _with_delayed(broker.queues))

    def worker(self, threads: int) -> dramatiq.Worker:
        """A worker for this process (the `worker` command starts and stops it)."""
        return dramatiq.Worker(self.broker, worker_threads=threads, worker_timeout=IDLE_POLL_MS)


def _with_delayed(names: Iterable[str]) -> list[str]:
    return [name for queue in names for name in (queue, dramatiq.common.dq_name(queue))]


def create_queue(app: Flask) -> JobQueue:
    """The queue ``app``'s JOBS setting names."""
    mode = app.config["JOBS"]
    if mode == "redis":
        if not app.config["REDIS_URL"]:
            raise RuntimeError("TANDEM_JOBS=redis needs TANDEM_REDIS_URL")
        return RedisQueue(app)
    if mode == "thread":
        return ThreadQueue(app)
    if mode == "held":
        return HeldQueue(app)
    raise RuntimeError(f"Unknown TANDEM_JOBS {mode!r}; use one of {', '.join(MODES)}")


def init_jobs(app: Flask) -> None:
    """Give ``app`` its job queue (before the features declare their jobs); with the
    ``thread`` queue, the first request of each process starts its worker and schedule,
    so commands and the parent of a forking server never run jobs."""
    queue = create_queue(app)
    app.extensions["job_queue"] = queue
    if isinstance(queue, ThreadQueue):
        app.before_request(queue.start)
