"""Worker processes that run one job over many tasks: the plumbing of every parallel phase
(a build's record pages, a synthetic registry's units, the signatures of ``fmar verify``).

No state lives in this module, nor need it in the callers': each worker is started with the job
and its context as the arguments of its process (inherited as they are with the ``fork`` start
method, pickled once per worker with ``spawn``), then receives tasks and sends back results
through its own pipe, one task at a time, as the small named messages below. Results come back
in the order of the tasks. It imports nothing of fmar, so every layer may use it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, Generic, NamedTuple, TypeVar

C = TypeVar("C")
T = TypeVar("T")
R = TypeVar("R")

#: The start method used unless the caller says otherwise: on Linux a forked worker shares the
#: parent's memory (the registry, its history) instead of unpickling a copy.
DEFAULT_START_METHOD = "fork"


class Task(NamedTuple, Generic[T]):
    """Parent to worker: do ``payload`` (the ``number``-th task)."""

    number: int
    payload: T


class Done(NamedTuple, Generic[R]):
    """Worker to parent: the ``number``-th task's result."""

    number: int
    result: R


class Failed(NamedTuple):
    """Worker to parent: the ``number``-th task raised ``error`` (raised again in the parent)."""

    number: int
    error: BaseException


class Stop(NamedTuple):
    """Parent to worker: no more tasks."""


def run(
    job: Callable[[C, T], R],
    context: C,
    payloads: Sequence[T],
    *,
    jobs: int,
    start_method: str = DEFAULT_START_METHOD,
    each: Callable[[int, R], None] | None = None,
) -> list[R]:
    """``[job(context, p) for p in payloads]``, in up to ``jobs`` worker processes (in this one
    when ``jobs`` is 1 or there is only one task). ``job`` must be a module-level function, and
    with ``spawn`` ``context`` must pickle. ``each(number, result)``, when given, is called here
    as each task is done (in the order they finish), for progress."""
    if jobs <= 1 or len(payloads) <= 1:
        results = []
        for number, payload in enumerate(payloads):
            results.append(job(context, payload))
            if each is not None:
                each(number, results[-1])
        return results
    mp: Any = get_context(start_method)  # typeshed's BaseContext has no Process
    workers: list[_Worker] = []
    try:
        for _ in range(min(jobs, len(payloads))):
            ours, theirs = mp.Pipe()
            process = mp.Process(target=_serve, args=(theirs, job, context), name="fmar worker", daemon=True)
            process.start()
            theirs.close()
            workers.append(_Worker(process, ours))
        return _collect(workers, payloads, each)
    finally:
        for worker in workers:
            worker.close()


@dataclass
class _Worker:
    process: BaseProcess
    pipe: Connection
    #: The number of the task it is doing, None when idle.
    doing: int | None = None

    def close(self) -> None:
        try:
            if self.process.is_alive() and self.doing is None:
                self.pipe.send(Stop())
        except OSError:
            pass
        self.pipe.close()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()


def _collect(workers: list[_Worker], payloads: Sequence[Any], each: Callable[[int, Any], None] | None) -> list[Any]:
    pending = iter(enumerate(payloads))
    results: dict[int, Any] = {}

    def give(worker: _Worker) -> None:
        task = next(pending, None)
        if task is None:
            worker.doing = None
            worker.pipe.send(Stop())
            return
        worker.doing = task[0]
        worker.pipe.send(Task(*task))

    for worker in workers:
        give(worker)
    while len(results) < len(payloads):
        busy = {worker.pipe: worker for worker in workers if worker.doing is not None}
        for pipe in wait(list(busy)):
            worker = busy[pipe]  # type: ignore[index]
            try:
                message = worker.pipe.recv()
            except EOFError:
                raise RuntimeError(f"a worker process ended without finishing task {worker.doing}") from None
            if isinstance(message, Failed):
                worker.doing = None
                raise message.error
            results[message.number] = message.result
            give(worker)
            if each is not None:
                each(message.number, message.result)
    return [results[number] for number in range(len(payloads))]


def _serve(pipe: Connection, job: Callable[[Any, Any], Any], context: Any) -> None:
    """A worker's loop: run ``job(context, payload)`` for each task until told to stop."""
    while True:
        try:
            task = pipe.recv()
        except EOFError:
            return
        if isinstance(task, Stop):
            return
        try:
            message: Done[Any] | Failed = Done(task.number, job(context, task.payload))
        except Exception as error:  # handed to the parent, which raises it
            message = Failed(task.number, error)
        try:
            pipe.send(message)
        except Exception as error:  # a result or exception that does not pickle: its text still gets there
            pipe.send(Failed(task.number, RuntimeError(f"{type(error).__name__}: {error}")))


__all__ = ["DEFAULT_START_METHOD", "Done", "Failed", "Stop", "Task", "run"]
