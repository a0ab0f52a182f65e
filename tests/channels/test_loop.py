"""The channel loop: one per process, usable from any thread, never blocked from inside."""

from __future__ import annotations

import asyncio
import threading

import pytest

from servesell.channels.adapters.loop import channel_loop, run


def test_every_thread_gets_the_same_loop_and_its_results() -> None:
    async def where() -> asyncio.AbstractEventLoop:
        return asyncio.get_running_loop()

    seen: list[asyncio.AbstractEventLoop] = []
    threads = [threading.Thread(target=lambda: seen.append(run(where()))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(seen) == {channel_loop()}


def test_an_error_inside_reaches_the_caller() -> None:
    async def fails() -> None:
        raise ValueError("from the loop")

    with pytest.raises(ValueError, match="from the loop"):
        run(fails())


def test_a_blocking_call_from_inside_the_loop_is_refused_not_a_deadlock() -> None:
    async def inner() -> int:
        return 1

    async def outer() -> None:
        run(inner())

    with pytest.raises(RuntimeError, match="await it"):
        run(outer())
