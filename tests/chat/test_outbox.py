"""A socket's outbox: bounded, in order, and a writer that waits is woken."""

import asyncio

import pytest

from networking.chat.outbox import Outbox

pytestmark = pytest.mark.asyncio


async def test_frames_come_out_in_order_and_a_full_outbox_refuses_more():
    outbox = Outbox(3)
    assert [outbox.push(text) for text in "abcd"] == [True, True, True, False]
    assert len(outbox) == 3
    assert [await outbox.get() for _ in range(3)] == ["a", "b", "c"]
    assert outbox.push("e")
    assert await outbox.get() == "e"


async def test_a_waiting_writer_gets_the_next_frame():
    outbox = Outbox(3)
    writer = asyncio.ensure_future(outbox.get())
    await asyncio.sleep(0)
    assert not writer.done()
    outbox.push("hello")
    assert await asyncio.wait_for(writer, 1) == "hello"


async def test_a_cancelled_writer_does_not_swallow_later_frames():
    outbox = Outbox(3)
    writer = asyncio.ensure_future(outbox.get())
    await asyncio.sleep(0)
    writer.cancel()
    await asyncio.gather(writer, return_exceptions=True)
    assert outbox.push("kept")
    assert await asyncio.wait_for(outbox.get(), 1) == "kept"


async def test_put_waits_for_room_then_adds_the_frame_last():
    outbox = Outbox(2)
    outbox.push("a")
    outbox.push("b")
    put = asyncio.ensure_future(outbox.put("c", timeout=5))
    await asyncio.sleep(0)
    assert not put.done()
    assert await outbox.get() == "a"
    assert await asyncio.wait_for(put, 1) is True
    assert [await outbox.get() for _ in range(2)] == ["b", "c"]


async def test_put_gives_up_when_no_room_comes():
    outbox = Outbox(1)
    outbox.push("a")
    assert await outbox.put("b", timeout=0.05) is False
    assert len(outbox) == 1
    assert await outbox.get() == "a"
    assert not outbox._waiting_room  # the timed-out waiter is not left behind


async def test_clear_empties_it():
    outbox = Outbox(2)
    outbox.push("a")
    outbox.clear()
    assert len(outbox) == 0
    assert outbox.push("b") and outbox.push("c")


async def test_clearing_lets_a_waiting_catch_up_go_on_at_once():
    """A socket dropped while a catch-up waits for room: the catch-up must not sleep
    until its timeout (its consumer could not handle the disconnect meanwhile)."""
    outbox = Outbox(1)
    outbox.push("a")
    put = asyncio.ensure_future(outbox.put("b", timeout=30))
    await asyncio.sleep(0)
    outbox.clear()
    assert await asyncio.wait_for(put, 1) is True  # went on (into a dead outbox)


async def test_room_given_to_a_catch_up_that_gives_up_goes_to_the_next():
    outbox = Outbox(1)
    outbox.push("a")
    first = asyncio.ensure_future(outbox.put("b", timeout=30))
    second = asyncio.ensure_future(outbox.put("c", timeout=30))
    await asyncio.sleep(0)
    assert await outbox.get() == "a"  # room for one: the first waiter is woken...
    first.cancel()  # ...but is cancelled before it runs
    await asyncio.gather(first, return_exceptions=True)
    assert await asyncio.wait_for(second, 1) is True
    assert await outbox.get() == "c"
