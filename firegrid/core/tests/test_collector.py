"""core.collector: the cyclic collector paused for a batch, back when the last pause ends, and never turned
on by a pause when it was off before."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest

from firegrid.core.collector import collector_paused


@pytest.fixture(autouse=True)
def collector_on():
    gc.enable()
    yield
    gc.enable()


def test_a_pause_turns_it_off_and_back_on_also_after_an_error():
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError
    assert gc.isenabled()


def test_a_cycle_made_during_the_pause_is_freed_when_it_ends():
    class Node:
        pass

    with collector_paused():
        node = Node()
        node.itself = node
        gone = threading.Event()
        weakref.finalize(node, gone.set)
        del node
        assert not gone.is_set()  # reference counting alone cannot free a cycle
    assert gone.is_set()


def test_nested_and_overlapping_pauses_end_with_the_last():
    outer_done, inner_started = threading.Event(), threading.Event()
    seen_after_outer = []

    def other_batch():
        with collector_paused():
            inner_started.set()
            outer_done.wait(5)
            seen_after_outer.append(gc.isenabled())

    worker = threading.Thread(target=other_batch)
    with collector_paused():
        worker.start()
        inner_started.wait(5)
        with collector_paused():
            pass
        assert not gc.isenabled()  # the nested pause ended, the outer one still runs
    outer_done.set()
    worker.join(5)
    assert seen_after_outer == [False]  # the first batch ended while this one still ran: still paused
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()
