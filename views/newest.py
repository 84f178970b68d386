"""A session's newest request wins: an answer that would overwrite a newer one is dropped.

Gradio 6.31's browser checks whether an event is already running before it gathers the inputs and sends them,
and marks it running only once sent: two triggers close together (a sampler typed in as the bars redraw, the
Compare button pressed as the tab's first comparison starts) both go, and their answers arrive in whichever
order they finish (or even reach the server in either order). On a busy server the older one may come last
and stay on the page. So the browser numbers each request as it leaves (``NUMBERED``, into a hidden input
last among the event's inputs), and an answer ready when a newer request of the same session and channel
(what a view's answers replace) has been seen is dropped: nothing changes (``gr.skip``).
"""
import functools
import inspect
import threading
from collections import OrderedDict

import anyio
import gradio as gr
from gradio.context import LocalContext

SESSIONS_CHANNELS_KEPT = 10_000  # (session, channel) pairs: a number each, the least recent forgotten
# An event's browser-side step before it is sent: its inputs, the last one replaced by the page's next number.
NUMBERED = "(...inputs) => [...inputs.slice(0, -1), window.chargenRequests = (window.chargenRequests || 0) + 1]"


class Newest:
    """The highest request number seen for each (session, channel)."""

    def __init__(self, kept=SESSIONS_CHANNELS_KEPT):
        self.numbers, self.kept, self.lock = OrderedDict(), kept, threading.Lock()

    def see(self, key, number: int):
        with self.lock:
            self.numbers[key] = max(number, self.numbers.pop(key, number))
            if len(self.numbers) > self.kept:
                self.numbers.popitem(last=False)

    def passed(self, key, number: int) -> bool:
        """A request numbered higher than ``number`` has been seen for the same session and channel."""
        with self.lock:
            return self.numbers.get(key, number) > number


NEWEST = Newest()


def request_number():
    """The hidden input the browser numbers an event's requests in (``NUMBERED``): made inside a view's tab."""
    return gr.Number(visible=False, precision=0)


def in_thread(function, *args):
    """``function(*args)`` in a worker thread, among the threads Gradio allows (the app's ``max_threads``)."""
    blocks = LocalContext.blocks.get(None)  # (Gradio's own context, set while it runs an event)
    return anyio.to_thread.run_sync(function, *args, limiter=blocks.limiter if blocks else None)


def skipped(answer):
    """Nothing changes: a skip for each output the answer had."""
    return [gr.skip()] * len(answer) if isinstance(answer, list | tuple) else gr.skip()


def newest_only(channel: str, drops=True):
    """``handler`` for an event whose inputs end with a ``request_number()`` and whose ``js`` is ``NUMBERED``:
    with ``drops``, an answer (or a streamed frame) ready after a newer request of the session on ``channel``
    was seen is skipped, and a stream stops; without, the request still counts (an action that changes what
    the older answers would show) and always answers. The handler runs in a worker thread, as Gradio runs a
    plain function, and stays a plain function to call from Python; a request without a number or a session
    (a call by name) is not numbered."""
    def wrap(handler):
        def seen(number):
            request = LocalContext.request.get(None)  # (Gradio's own context, as for the blocks)
            if not isinstance(number, int | float) or request is None or not request.session_hash:
                return None
            NEWEST.see(key := (request.session_hash, channel), number)
            return key

        def passed(key, number):
            return drops and key is not None and NEWEST.passed(key, number)

        if inspect.isgeneratorfunction(handler):
            async def answer(*inputs):
                *inputs, number = inputs
                key = seen(number)
                frames, done = handler(*inputs), object()
                try:
                    while (frame := await in_thread(next, frames, done)) is not done and not passed(key, number):
                        yield frame
                finally:
                    frames.close()  # (its own cleanup runs now, not when it is collected)
        else:
            async def answer(*inputs):
                *inputs, number = inputs
                key = seen(number)
                answered = await in_thread(functools.partial(handler, *inputs))
                return skipped(answered) if passed(key, number) else answered

        functools.update_wrapper(answer, handler)  # its name (the event's) and annotations (gr.Request)
        signature = inspect.signature(handler)  # and the number last, where the event's inputs put it
        answer.__signature__ = signature.replace(parameters=[
            *signature.parameters.values(), inspect.Parameter("request_number", inspect.Parameter.POSITIONAL_OR_KEYWORD)])
        return answer
    return wrap
