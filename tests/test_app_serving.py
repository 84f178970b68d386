"""Serving a class: the settings that bound the queue, the threads and the sessions kept; the
reveal's pace under load; /compare's limits and input types through the API; and the page's
own events, called by name over raw HTTP, answering bad input with a message."""
import datetime
import html
import json
import re
import uuid

import gradio as gr
import httpx
import pytest
from gradio.state_holder import StateHolder
from gradio.utils import LRUCache
from gradio_client import Client
from gradio_client.exceptions import AppError

import app
from views import common, generate

NOW = datetime.datetime(2026, 1, 1, 12, 0, 0)


def test_the_server_is_set_for_a_class_with_bounded_memory():
    assert app.QUEUE["max_size"] == app.MAX_QUEUE >= 500  # a class of 100, a few events each at once
    assert app.QUEUE["default_concurrency_limit"] == 2  # two cores
    assert app.LAUNCH["max_threads"] > app.REVEALS  # every reveal sleeps in a thread of its own, and more is left
    assert app.LAUNCH["state_session_capacity"] == app.SESSIONS_KEPT < 10_000  # Gradio's default keeps 10,000
    assert app.SESSION_IDLE_S == 3600 and app.FORGET_STATELESS_S <= 60


class FakeQueue:
    """What forget_sessions touches of Gradio's queue."""

    def __init__(self):
        self.pending_messages_per_session, self.pending_event_ids_session, self.event_ids_to_events = LRUCache(2000), {}, {}


def holder_with(sessions: dict) -> tuple[StateHolder, FakeQueue]:
    """{name: (seconds idle, has state, running event)} as Gradio keeps them."""
    holder, queue = StateHolder(), FakeQueue()
    holder.set_blocks(app.demo)
    generation = next(b for b in app.demo.blocks.values() if isinstance(b, gr.State))
    for name, (idle, stateful, running) in sessions.items():
        state = holder[name]
        holder.time_last_used[name] = NOW - datetime.timedelta(seconds=idle)
        if stateful:
            state[generation._id] = "a generation"
        queue.pending_messages_per_session[name] = ["a result never fetched"]
        queue.pending_event_ids_session[name] = {f"{name}-event"}
        if running:
            queue.event_ids_to_events[f"{name}-event"] = object()
    return holder, queue


def test_sessions_are_forgotten_an_hour_idle_and_stateless_ones_in_seconds():
    holder, queue = holder_with({
        "page, 50 min idle": (3000, True, False), "page, 2 h idle": (7200, True, False),
        "api call, 20 s idle": (20, False, False), "api call, 2 s idle": (2, False, False),
        "api call waiting 5 min in the queue": (300, False, True),
    })
    assert app.forget_sessions(holder, queue, NOW) == 2
    kept = {"page, 50 min idle", "api call, 2 s idle", "api call waiting 5 min in the queue"}
    assert set(holder.session_data) == set(holder.time_last_used) == kept
    assert set(queue.pending_messages_per_session) == set(queue.pending_event_ids_session) == kept
    assert app.forget_sessions(holder, queue, NOW) == 0


def test_many_sessions_idle_are_all_forgotten():
    holder, queue = holder_with({f"api {i}": (app.FORGET_STATELESS_S + 1, False, False) for i in range(300)})
    assert app.forget_sessions(holder, queue, NOW) == 300
    assert not holder.session_data and not queue.pending_messages_per_session and not queue.pending_event_ids_session


def test_a_session_makes_its_components_configs_as_they_are_used_and_in_full_as_gradio_would():
    from gradio.state_holder import SessionState

    session = SessionState(app.demo)
    assert not session.config_values.made  # none made when a session starts
    gradios = SessionState(app.demo)
    app.gradio_session_start(gradios, app.demo)
    generation = next(b for b in app.demo.blocks.values() if isinstance(b, gr.State))
    assert generation._id in session.config_values and len(session.config_values.made) == 0
    assert list(session.config_values) == list(gradios.config_values)
    assert dict(session.config_values) == gradios.config_values


def test_the_page_is_built_once_per_address_it_is_asked_at(app_url):
    first, again = httpx.get(app_url), httpx.get(app_url)
    port = app_url.rstrip("/").rsplit(":", 1)[1]
    elsewhere = httpx.get(app_url, headers={"host": f"localhost:{port}"})
    assert first.status_code == again.status_code == elsewhere.status_code == 200
    assert first.text == again.text and f"http://127.0.0.1:{port}" in first.text
    # (the teacher's guide in About names http://127.0.0.1:7860 as text: the address asked at has this port)
    assert f"http://localhost:{port}" in elsewhere.text and f"http://127.0.0.1:{port}" not in elsewhere.text
    asked = httpx.get(app_url, params={"view": "api"})  # anything but the plain page: Gradio's own answer
    assert asked.status_code == 200


def test_too_few_inputs_over_raw_http_are_named_in_one_line(app_url):
    event = httpx.post(f"{app_url}gradio_api/call/generate", json={"data": ["Today ", 0.8, 20]}).json()["event_id"]
    answer = httpx.get(f"{app_url}gradio_api/call/generate/{event}", timeout=60).text
    assert "event: error" in answer
    assert "11 inputs needed, 3 given: missing decoding, seed, alternatives, model, stop_at_end, top_k, top_p, min_p" in answer


def test_too_few_inputs_are_one_line_in_the_log(caplog):
    generate_api = next(fn for fn in app.demo.fns.values() if fn.api_name == "generate")
    with caplog.at_level("WARNING", logger="chargen.app"), pytest.raises(gr.Error, match="10 given: missing min_p"):
        app.refuse_missing_inputs(generate_api, ["Today "] * 10)
    assert [r.getMessage() for r in caplog.records] == ["refused /generate: 11 inputs needed, 10 given: missing min_p"]
    app.refuse_missing_inputs(generate_api, ["Today "] * 11)  # all there: on to Gradio's own processing


def test_a_reveal_alone_is_paced_and_a_class_of_them_shares_a_frame_budget():
    pace = generate.RevealPace()
    with pace.frames(100) as alone:
        assert alone == generate.STREAM_FRAMES
    with pace.frames(3) as short:
        assert short == 3  # never more frames than steps
    held = [pace.frames(100) for _ in range(99)]
    frames = [h.__enter__() for h in held]
    with pace.frames(100) as hundredth:
        assert hundredth == max(1, generate.FRAMES_PER_SECOND * generate.STREAM_SECONDS // 100)
    assert frames[0] == generate.STREAM_FRAMES and min(frames) >= 1 and frames == sorted(frames, reverse=True)
    for h in held:
        h.__exit__(None, None, None)
    assert pace.running == 0


# -- through the running app -----------------------------------------------------------------

@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False)


def compare(client, temperatures, length=20, other=None):
    return client.predict("Moscow, ", temperatures, length, 0, app.DEFAULT_MODEL, other, api_name="/compare")


@pytest.mark.parametrize("temperatures, message", [
    ("11", "temperatures must be a list"), ({"0.5": 1, "1.0": 2}, "temperatures must be a list"),
    (True, "temperatures must be a list"), (5, "temperature must be a number from 0.1 to 3, not 5"),
    ([], "give at least one temperature"), ([1.0] * (common.MAX_COMPARE_ROWS + 1), "13 temperatures; the limit is 12 rows"),
    ([[1.0]], "temperature must be a number"), (["hot"], "temperature must be a number from 0.1 to 3, not 'hot'"),
])
def test_compare_refuses_what_is_not_a_list_of_temperatures(client, temperatures, message):
    with pytest.raises(AppError, match=message):
        compare(client, temperatures)


def test_compare_takes_one_number_or_a_list_up_to_the_pages_twelve(client):
    one = compare(client, 0.8)
    assert [r["label"] for r in one["rows"]] == ["T=0.8"]
    full = compare(client, common.TEMPERATURE_CHOICES, length=common.MAX_LENGTH)  # the most the page offers: served
    assert len(full["rows"]) == 12 and full["rows"][1]["label"] == "T=0.1"


def test_compare_refuses_more_work_than_one_call_may_take_before_decoding(client):
    # The two models share the cap: each one's 12 rows of 500 tokens are more than its half.
    with pytest.raises(AppError, match="12 rows of 500 tokens is more than one comparison may take"):
        compare(client, common.TEMPERATURE_CHOICES, length=common.MAX_LENGTH, other="words")
    both = compare(client, common.TEMPERATURE_CHOICES, length=common.MAX_COMPARE_WORK // 24, other="words")  # within: served
    assert len(both["rows"]) == 24


def page_event(url, api_name, data, session=None) -> list[dict]:
    """Join a page event by its name over raw HTTP, as a crafted call would (in ``session``, else a new one):
    its stream's messages."""
    config = httpx.get(f"{url}config").json()
    index = next(d["id"] for d in config["dependencies"] if d["api_name"] == api_name)
    session = session or uuid.uuid4().hex[:11]
    httpx.post(f"{url}gradio_api/queue/join", json={"data": data, "fn_index": index, "session_hash": session,
                                                    "event_data": None, "trigger_id": None}).raise_for_status()
    messages = []
    with httpx.stream("GET", f"{url}gradio_api/queue/data", params={"session_hash": session}, timeout=60) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                messages.append(json.loads(line[5:]))
                if messages[-1]["msg"] in ("process_completed", "close_stream"):
                    break
    return messages


MODEL = "the default model"
OFF = [0, 1.0, 0.0]  # the truncation sliders, off: top-k, top-p, min-p
# The last input of a view's events: the request's number, as the page sends it (views/newest.py).


@pytest.mark.parametrize("api_name, data, message", [
    ("sweep_page", ["Today ", 2.5, MODEL, 1], "alternatives must be a whole number from 1 to 10, not 2.5"),
    ("sweep_page", ["Today ", "x", MODEL, 1], "alternatives must be a number from 1 to 10, not 'x'"),
    ("generate_page", ["Today ", 0.8, 20, "Sampled", 0, 2.5, MODEL, *OFF, 1], "alternatives must be a whole number"),
    ("generate_page", ["Today ", "hot", 20, "Sampled", 0, 5, MODEL, *OFF, 1], "temperature must be a number from 0.1 to 3"),
    ("generate_page", ["Today ", 0.8, [20], "Sampled", 0, 5, MODEL, *OFF, 1], "length must be a number"),
    ("generate_page", ["Today ", 0.8, 20, "Sampled", 0, 5, MODEL, 0, 1.5, 0.0, 1], "top_p must be more than 0 and at most 1"),
    ("generation_opening", ["Today ", 0.8, 20, "Sampled", 0.5, 5, MODEL, *OFF], "seed must be a whole number"),
    ("generation_opening", ["Today ", 0.8, 20, "Sampled", "", 2.5, MODEL, *OFF], "alternatives must be a whole number"),
    ("compare_page", ["Today ", "11", 20, 0, MODEL, "", *OFF, True, 1], "temperatures must be a list"),
    ("compare_page", ["Today ", ["0.8"], 20.5, 0, MODEL, "", *OFF, True, 1], "length must be a whole number"),
    ("compare_page", ["Today ", ["0.8"], 20, 0, MODEL, "", 2.5, 1.0, 0.0, True, 1], "top_k must be a whole number"),
    ("lesson_grid_page", [{"a": 1}, 0, MODEL, 1], "length must be a number"),
    ("step_action", [None, "Today ", 1.0, 0, 2.5, MODEL, *OFF, 1], "alternatives must be a whole number"),
    ("step_action", [None, "Today ", 1.0, 0, 5, MODEL, 0, 1.0, 1.0, 1], "min_p must be at least 0 and less than 1"),
    ("card_page", [["default"]], "unknown model"),
])
def test_page_events_called_by_name_answer_bad_input_with_a_message(app_url, api_name, data, message):
    messages = page_event(app_url, api_name, [app.DEFAULT_MODEL if value == MODEL else value for value in data])
    completed = messages[-1]
    assert completed["msg"] == "process_completed" and completed["success"], completed  # no bare "Error"
    warnings = [m["log"] for m in messages if m["msg"] == "log" and m.get("level") == "warning"]
    assert any(message in w for w in warnings), warnings


def test_an_answer_older_than_a_request_already_seen_changes_nothing(app_url):
    """The page numbers its requests: an older comparison that finishes after a newer one was seen (as when two
    clicks race on a busy server) answers with no change, in its session only."""
    def compared(prompt, number, session):
        data = [prompt, ["0.8"], 10, 0, app.DEFAULT_MODEL, "", *OFF, True, number]
        completed = page_event(app_url, "compare_page", data, session)[-1]
        assert completed["msg"] == "process_completed" and completed["success"], completed
        return completed["output"]["data"][0]

    session = uuid.uuid4().hex[:11]
    assert "Moscow, " in str(compared("Moscow, ", 5, session))
    older = compared("Today ", 4, session)  # older than 5: dropped, an update that changes nothing
    assert older["__type__"] == "update" and "value" not in older and "Today" not in str(older)
    assert "Today " in str(compared("Today ", 4, uuid.uuid4().hex[:11]))  # another student's count is their own
    assert "Oil " in str(compared("Oil ", 6, session))
    assert "Today " in str(compared("Today ", None, session))  # a call by name without a number: answered


def shown_step(out, step):
    """What Generate's redraw of ``step`` sends last (at T = 1, samplers off)."""
    return generate.show_step(out, step, common.SAMPLED, 1.0, *OFF, None)


def test_a_step_picked_or_shown_is_a_whole_number_within_the_generation():
    out = common.generator(app.DEFAULT_MODEL).generate("Today ", length=5, seed=1)
    with pytest.warns(UserWarning, match="step must be a whole number from 1 to 5, not 2.5"):
        assert shown_step(out, 2.5) == [gr.skip()] * 5
    with pytest.warns(UserWarning, match="step must be a number from 1 to 5, not 6"):
        shown_step(out, 6)
    at_t1, *_ = shown_step(out, 3)  # step 3's bars: its token is the one drawn as chosen
    assert re.findall(r'data-token="([^"]*)"[^>]*data-kind="chosen"', at_t1.value) == [
        html.escape(common.shown(out.steps[2].token))]
    clicked = {"index": "3", "value": "x", "selected": True}
    with pytest.warns(UserWarning, match="step must be a whole number from 1 to 500, not '3'"):
        assert generate.select_step(gr.SelectData(None, clicked), None) == gr.skip()
    assert generate.select_step(gr.SelectData(None, {**clicked, "index": 3}), None) == 3
    assert generate.select_step(gr.SelectData(None, {**clicked, "index": 0}), None) == 1  # the prompt: step 1


def test_the_memory_runs_raw_http_calls_complete(app_url):
    """The bench's memory run posts /generate as raw HTTP does (every input given): each call completes."""
    import asyncio
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import crowd

    async def calls():
        async with crowd.client(1) as http:
            return [await crowd.api_call(http, app_url, crowd.generate_inputs(n)) for n in range(3)]

    assert asyncio.run(calls()) == [True, True, True]
