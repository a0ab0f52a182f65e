"""The channel I/O loop: one asyncio event loop per process, in a daemon thread, for adapters.

Every adapter does its network I/O as coroutines on this one loop. A caller in any other
thread waits for one coroutine with :func:`run` (``Adapter.send``) or hands over a whole
batch at once (the delivery worker), so hundreds of sends are in flight on a few
keep-alive connections without a thread per send. One loop for all adapters also means
an adapter's connections belong to one loop whichever thread, or worker, calls it.

The loop starts on first use and runs until the process ends. A forked child (a
``multiprocessing`` worker) gets a loop of its own on first use.

>>> import asyncio
>>> async def double(x: int) -> int:
...     await asyncio.sleep(0)
...     return 2 * x
>>> run(double(21))
42
"""

from __future__ import annotations

import asyncio
import os
import threading
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Coroutine
    from typing import Any

T = TypeVar("T")

_lock = threading.Lock()
_current: tuple[int, asyncio.AbstractEventLoop] | None = None


def channel_loop() -> asyncio.AbstractEventLoop:
    """The process's channel loop, started on first use."""
    global _current  # noqa: PLW0603 - one loop per process is the point of this module
    with _lock:
        if _current is None or _current[0] != os.getpid():
            loop = asyncio.new_event_loop()
            thread = threading.Thread(
                target=loop.run_forever, name="servesell-channel-io", daemon=True
            )
            thread.start()
            _current = (os.getpid(), loop)
        return _current[1]


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on the channel loop and wait for its result (from any other thread)."""
    loop = channel_loop()
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        coro.close()
        raise RuntimeError("a blocking channel call from inside the channel loop; await it")
    return asyncio.run_coroutine_threadsafe(coro, loop).result()
