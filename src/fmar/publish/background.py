"""One function run in a child process while this one goes on (a build has two cores and
phases that use one): forked, the child sees this process's memory as it was at the fork (with
``start_method="spawn"`` the function and its arguments are pickled to it instead), and sends
back its result (or its exception) through a pipe."""

from __future__ import annotations

from collections.abc import Callable
from multiprocessing import get_context
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Background(Generic[T]):
    def __init__(self, name: str, function: Callable[..., T], *args: Any, start_method: str = "fork") -> None:
        context: Any = get_context(start_method)  # typeshed's BaseContext has no Process
        self._result, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=_run, args=(sender, function, args), name=name)
        self._process.start()
        sender.close()
        self.name = name

    def result(self) -> T:
        """Wait for the child; its function's result, or its exception raised here."""
        try:
            outcome = self._result.recv()
        except EOFError:
            outcome = RuntimeError(f"{self.name}: the process ended without a result")
        self._process.join()
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def cancel(self) -> None:
        """Stop the child if it still runs (after ``result`` this only tidies up)."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._result.close()


def _run(sender: Any, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        outcome = function(*args)
    except Exception as error:  # handed to the parent, which raises it
        outcome = error
    try:
        sender.send(outcome)
    except Exception as error:  # an exception that does not pickle: its text still gets there
        sender.send(RuntimeError(f"{type(error).__name__}: {error}"))
    finally:
        sender.close()


__all__ = ["Background"]
