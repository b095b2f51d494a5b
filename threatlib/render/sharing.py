"""Outputs shared out among forked processes: a queue of the outputs not yet taken, which every process reads,
and the forked processes that take from it (see outputs.make_outputs)."""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import pickle
import signal
import struct
import termios
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from threatlib.errors import EnvironmentProblem

if TYPE_CHECKING:
    from threatlib.render.outputs import Output


class OutputQueue:
    """The outputs not yet taken, in two pipes that every process shares: those that need the drawing, and those
    that do not. Each output is one byte (its place in the list); a read of one byte from a pipe takes it for one
    process alone, and an empty pipe whose writing end is closed reads as the end. The longest first: the PDFs,
    then the other documents set from templates (the HTML report), then the rest in the registry's order."""

    def __init__(self, outputs: list[Output], needs_drawing: Callable[[Output], bool]):
        self.outputs = sorted(outputs, key=lambda o: (not o.pdf, "templates" not in o.needs))
        self._pipes = {}
        for drawn in (False, True):
            read, fill = os.pipe()
            os.write(fill, bytes(i for i, o in enumerate(self.outputs) if needs_drawing(o) == drawn))
            self._pipes[drawn] = [read, fill]
        self._close_filling(False)

    def _close_filling(self, drawn: bool) -> None:
        os.close(self._pipes[drawn][1])
        self._pipes[drawn][1] = -1

    def drawn(self) -> None:
        """The drawing is made: the outputs that need it may be taken, by this process or one forked from now on."""
        self._close_filling(True)

    def forked(self) -> None:
        """In a forked process: let go of the pipe still being filled, or its reader would never see the end."""
        if self._pipes[True][1] >= 0:
            self._close_filling(True)

    def take(self, *, drawn: bool) -> Output | None:
        """The next output to make; with `drawn`, those that need the drawing first."""
        for kind in ((True, False) if drawn else (False,)):
            got = os.read(self._pipes[kind][0], 1)
            if got:
                return self.outputs[got[0]]
        return None

    def left(self) -> bool:
        """Whether any output is still to be taken."""
        return any(_waiting(ends[0]) for ends in self._pipes.values())

    def close(self) -> None:
        for ends in self._pipes.values():
            for fd in ends:
                if fd >= 0:
                    os.close(fd)
        self._pipes = {}


def _waiting(fd: int) -> bool:
    """Whether a pipe holds a byte to read."""
    return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0] > 0


@dataclass
class Maker:
    """A forked process that makes outputs as it takes them from the queue; it sends back, for each, the file
    and None or the exception it met, each as it goes, so a process that dies leaves its results so far."""

    pid: int
    answer: int  # the read end of a pipe
    taking: int  # the read end of a pipe on which it names each output as it takes it
    status: int | None = None  # its wait status, once reaped

    @classmethod
    def start(cls, queue: OutputQueue, make: Callable[[Output], None], *, drawn: bool) -> Maker:
        """`make(output)` makes one output and writes it."""
        answer, ask = os.pipe()
        taking, took = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns into the caller's code
            try:
                os.close(answer)
                os.close(taking)
                queue.forked()
                with os.fdopen(ask, "wb") as pipe:
                    while (output := queue.take(drawn=drawn)) is not None:
                        os.write(took, pickle.dumps(output.file))
                        try:
                            make(output)
                            result: BaseException | None = None
                        except BaseException as exc:
                            result = exc
                        try:
                            payload = pickle.dumps((output.file, result))
                        except Exception:  # an exception pickle cannot carry: its type and text
                            payload = pickle.dumps((output.file, RuntimeError(f"{type(result).__name__}: {result}")))
                        pipe.write(len(payload).to_bytes(8, "big") + payload)
                        pipe.flush()
            finally:
                os._exit(0)
        os.close(ask)
        os.close(took)
        return cls(pid, answer, taking)

    def ended(self) -> bool:
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
        return self.status is not None

    def wait(self) -> dict[str, BaseException]:
        """Its failures by file, once it has ended; an output it took and never answered for, it died making."""
        with os.fdopen(self.answer, "rb") as pipe:
            payload = pipe.read()
        with os.fdopen(self.taking, "rb") as pipe:
            took = pipe.read()
        if self.status is None:
            self.status = os.waitpid(self.pid, 0)[1]
        taken = []
        with io.BytesIO(took) as names:
            with contextlib.suppress(EOFError):
                while True:
                    taken.append(pickle.load(names))
        answered: dict[str, BaseException | None] = {}
        at = 0
        while at + 8 <= len(payload):
            size = int.from_bytes(payload[at:at + 8], "big")
            try:
                file, result = pickle.loads(payload[at + 8:at + 8 + size])
            except Exception as exc:
                file, result = taken[len(answered)], RuntimeError(f"{type(exc).__name__}: {exc}")
            answered[file] = result
            at += 8 + size
        failures = {file: exc for file, exc in answered.items() if exc is not None}
        for file in taken:
            if file not in answered:
                code = os.waitstatus_to_exitcode(self.status)
                reason = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
                failures[file] = EnvironmentProblem(file, "make it", f"the process making it ended ({reason})",
                                                    "a process killed is often out of memory: free some, then run again")
        return failures

    def stop(self) -> None:
        """End the process and reap it; its files, if it wrote any, go with the staging folder."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        for fd in (self.answer, self.taking):
            with contextlib.suppress(OSError):  # wait() may have closed it already
                os.close(fd)
        if self.status is None:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
