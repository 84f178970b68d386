"""The server under abuse, through Gradio's queue protocol as the browser speaks it.

A browser that goes away mid-stream must not cost the server anything: the page's streaming
reveal is dropped after its first frame, more times than the event's concurrency limit; the
app must then still answer, and a full stream must still run to its end. A flood beyond the
queue's cap is refused at once with a clear message, and the server goes on.
"""
import json
import re
import time
import uuid

import httpx
import pytest
from conftest import serve_app
from gradio_client import Client

DROPPED = 12  # more than the reveal's concurrency limit (8): held slots would block the rest
INPUTS = ["Moscow, ", 0.8, 100, "Sampled", 7, 5]  # prompt, T, length, decoding, seed, top-k; model added
SAMPLERS_OFF = [0, 1.0, 0.0]  # then the truncation sliders: top-k, top-p, min-p


def reveal_index(config) -> int:
    """The page's generate event, which streams the coloured text frame by frame."""
    return next(i for i, d in enumerate(config["dependencies"]) if d.get("api_name") == "generate_page")


def messages(http, base, session):
    """Server-sent messages of one session's queue stream, as dicts."""
    with http.stream("GET", f"{base}gradio_api/queue/data", params={"session_hash": session}) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                yield json.loads(line[5:])


def post_join(http, base, index, model) -> tuple[str, httpx.Response]:
    session = uuid.uuid4().hex[:11]
    return session, http.post(f"{base}gradio_api/queue/join", json={
        "data": [*INPUTS, model, *SAMPLERS_OFF, 1], "fn_index": index, "session_hash": session, "event_data": None,
        "trigger_id": None,
    })  # (the last input, 1: the request's number, as the page sends it)


def join(http, base, index, model) -> str:
    session, response = post_join(http, base, index, model)
    response.raise_for_status()
    return session


def test_dropped_streams_free_their_slots(app_url):
    with httpx.Client(timeout=60) as http:
        config = http.get(f"{app_url}config").json()
        model = next(c for c in config["components"] if c.get("props", {}).get("elem_id") == "model")["props"]["value"]
        index = reveal_index(config)
        for _ in range(DROPPED):
            session = join(http, app_url, index, model)
            for message in messages(http, app_url, session):  # leaving the loop closes the connection
                assert message["msg"] != "process_completed" or message["success"], message
                if message["msg"] in ("process_generating", "process_completed"):
                    break

        # The named API still answers, with the seeded result it gives on a quiet server.
        result = Client(app_url, verbose=False).predict("Moscow, ", 0.8, 100, "Sampled", 7, 5, model, api_name="/generate")
        assert result["text"] and result["seed"] == 7

        # And a stream that stays connected runs to its end.
        session = join(http, app_url, index, model)
        kinds = []
        for message in messages(http, app_url, session):
            kinds.append(message["msg"])
            if message["msg"] == "process_completed":
                assert message["success"], message
                break
        assert kinds[-1] == "process_completed" and "process_generating" in kinds, kinds


def test_a_flood_beyond_the_queue_cap_is_refused_with_a_message(tmp_path):
    cap = 2
    with serve_app(tmp_path, CHARGEN_MAX_QUEUE=str(cap), CHARGEN_REVEALS="8") as url, httpx.Client(timeout=60) as http:
        config = http.get(f"{url}config").json()
        model = next(c for c in config["components"] if c.get("props", {}).get("elem_id") == "model")["props"]["value"]
        index = reveal_index(config)
        # Each reveal holds its slot for a second; 8 run at once, `cap` more may wait, the rest are refused.
        responses = [post_join(http, url, index, model)[1] for _ in range(8 + cap + 6)]
        refused = [r for r in responses if r.status_code == 503]
        assert len(refused) >= 4, [r.status_code for r in responses]
        assert all("Queue is full" in r.text for r in refused)
        assert all(r.status_code in (200, 503) for r in responses)
        deadline = time.monotonic() + 60
        while post_join(http, url, index, model)[1].status_code == 503:  # the flood drains in seconds
            assert time.monotonic() < deadline, "the queue never drained"
            time.sleep(0.5)
        result = Client(url, verbose=False).predict("Oil ", 0.8, 20, "Sampled", 1, 3, model, api_name="/generate")
        assert result["seed"] == 1 and result["steps"]


def test_new_sessions_get_the_same_configs_with_cached_signatures(monkeypatch):
    """app.py caches constructors' signatures for Gradio's per-session configs; a Gradio that
    no longer looks them up in gradio.blocks, or configs that differ, fail here."""
    import inspect

    import gradio.blocks
    from gradio.state_holder import SessionState

    import app

    assert gradio.blocks.inspect.signature is app.component_signature
    cached = SessionState(app.demo).config_values
    assert app.init_signature.cache_info().currsize > 10  # one per component class
    monkeypatch.setattr(gradio.blocks, "inspect", inspect)
    assert SessionState(app.demo).config_values == cached


def test_refused_api_requests_log_one_line_each(tmp_path):
    """An ordinary input error is one line in the server's log, not a traceback."""
    import pytest
    from gradio_client.exceptions import AppError

    bad = [dict(prompt=""), dict(temperature=9.0), dict(length=0), dict(alternatives=50)]
    with serve_app(tmp_path) as url:
        client = Client(url, verbose=False)
        for inputs in bad:
            with pytest.raises(AppError):
                client.predict(**{"prompt": "Today ", "temperature": 0.8, "length": 20, "decoding": "Sampled",
                                  "seed": 0, "alternatives": 5, **inputs}, api_name="/generate")
        with pytest.raises(AppError):
            client.predict("Today ", [], 20, 0, api_name="/compare")
        assert client.predict("Today ", 0.8, 5, "Sampled", 0, 5, api_name="/generate")["steps"]
        time.sleep(0.5)  # let the log reach the file
    log = (tmp_path / "app.log").read_text()
    refused = [line for line in log.splitlines() if "refused /" in line]
    assert len(refused) == len(bad) + 1, log[-3000:]
    assert "the prompt is empty" in refused[0] and "temperature must be a number from 0.1 to 3" in refused[1]
    assert "refused /compare: give at least one temperature" in refused[-1]
    assert "Traceback" not in log and "gradio.exceptions.Error" not in log


def test_the_tab_bar_holds_nothing_but_the_views():
    """A component made beside the tabs (say a gr.State in an event's inputs) would sit between two of them,
    and the browser would then add every later tab to the bar again each time it is shown."""
    import gradio as gr

    import app

    tabs = next(block for block in app.demo.blocks.values() if isinstance(block, gr.Tabs))
    assert [type(child) for child in tabs.children] == [gr.Tab] * 6


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """``python app.py`` as a user starts it, and what it writes to its terminal."""
    log_dir = tmp_path_factory.mktemp("served")
    with serve_app(log_dir) as url:
        yield url, log_dir / "app.log"


def test_the_app_starts_without_tensorflow_s_start_up_lines(served):
    url, log_path = served
    assert Client(url, verbose=False).predict("Today ", 0.8, 5, "Sampled", 0, 5, api_name="/generate")["steps"]
    time.sleep(0.5)  # let the log reach the file
    log = log_path.read_text()
    assert "Running on local URL" in log
    assert not re.search(r"absl|oneDNN|cuda|^[IWE]\d{4} ", log, re.MULTILINE), log[-3000:]


@pytest.mark.parametrize("route", ["call", "call/v2", "run"])
def test_a_misspelt_endpoint_is_not_found_with_the_list_of_endpoints(served, route):
    url, log_path = served
    response = httpx.post(f"{url}gradio_api/{route}/generat", json={"data": ["Today ", 0.8, 5, "Sampled", 0, 5]})
    assert response.status_code == 404
    assert response.json() == {"error": "no endpoint /generat; the endpoints are /generate, /compare, /lesson_grid"}
    time.sleep(0.5)
    log = log_path.read_text()
    assert f"refused /gradio_api/{route}/generat: no endpoint /generat" in log
    assert "Traceback" not in log and "FnIndexInferError" not in log and "KeyError" not in log
