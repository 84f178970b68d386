"""A class of students and a long run of API calls against a running app, on loopback.

Students speak Gradio's queue protocol as the browser does (sse_v3): load the page
(its HTML carries the config), join the events the page fires when it opens, read
their results from the session's stream, then press Generate. Everything is bounded
by a deadline and stops by itself. Used by bench.py; runnable alone against a server:

    python benchmarks/crowd.py http://127.0.0.1:7864/ PID [--students 100] [--memory 5000]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid

import httpx
import numpy as np
import psutil

PROMPTS = ["Today ", "On Sunday ", "Moscow, ", "President ", "Oil prices ", "Stocks ", "The team ", "Apple "]


def percentiles(seconds) -> dict:
    if not seconds:
        return {"p50_ms": None, "p95_ms": None}
    return {"p50_ms": round(float(np.percentile(seconds, 50)) * 1e3, 1),
            "p95_ms": round(float(np.percentile(seconds, 95)) * 1e3, 1)}


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


class Page:
    """What the browser learns from the config: the events fired on opening and the Generate button's."""

    def __init__(self, config: dict):
        components = {c["id"]: c for c in config["components"]}
        self.values = {i: c.get("props", {}).get("value") for i, c in components.items()}
        by_elem = {c.get("props", {}).get("elem_id"): i for i, c in components.items()}
        dependencies = config["dependencies"]
        self.on_open = [(d["id"], next(t[0] for t in d["targets"] if t[1] == "load"), d["inputs"])  # (the server's)
                        for d in dependencies if d["backend_fn"] and any(t[1] == "load" for t in d["targets"])]
        button = by_elem["generate-button"]
        generate = next(d for d in dependencies if any(tuple(t) == (button, "click") for t in d["targets"]))
        # A press runs the button's event, then those chained after it (.then), each joined when the last ends.
        self.generate = [(generate["id"], button, generate["inputs"])]
        while then := next((d for d in dependencies if d.get("trigger_after") == self.generate[-1][0]), None):
            self.generate.append((then["id"], None, then["inputs"]))
        self.prompt, self.seed = by_elem["generate-prompt"], by_elem["seed"]

    def data(self, inputs, changed=None) -> list:
        return [(changed or {}).get(i, self.values.get(i)) for i in inputs]


async def run_events(http: httpx.AsyncClient, url: str, session: str, events, timeout: float) -> tuple[list, int]:
    """Join ``events`` [(fn_index, trigger_id, data)] in one session and read the stream until each one
    joined completes. Returns ([(seconds to its first output, to completion, success)], how many the
    queue refused (503, full)), in the order joined."""
    started = time.perf_counter()
    ids, refused = [], 0
    for fn_index, trigger, data in events:
        response = await http.post(f"{url}gradio_api/queue/join", json={
            "data": data, "event_data": None, "fn_index": fn_index, "trigger_id": trigger, "session_hash": session})
        if response.status_code == 503 and "Queue is full" in response.text:
            refused += 1
            continue
        response.raise_for_status()
        ids.append(response.json()["event_id"])
    first, done = {}, {}
    if ids:
        async with http.stream("GET", f"{url}gradio_api/queue/data", params={"session_hash": session},
                               timeout=timeout) as stream:
            async for line in stream.aiter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                event = message.get("event_id")
                if message["msg"] in ("process_generating", "process_completed") and event in ids:
                    first.setdefault(event, time.perf_counter() - started)
                if message["msg"] == "process_completed" and event in ids:
                    done[event] = (first[event], time.perf_counter() - started, bool(message.get("success")))
                if len(done) == len(ids) or message["msg"] == "close_stream":
                    break
    return [done.get(i, (None, None, False)) for i in ids], refused


async def student(http, url, page: Page, number: int, generates: int, timeout: float) -> dict:
    """Open the page (its HTML and the events it fires on opening), then press Generate ``generates``
    times, each after the last one's result, with this student's own prompt and seed."""
    outcome = {"opened_s": None, "first_result_s": None, "generate_s": [], "refused": 0, "failed": 0,
               "open_refused": 0, "open_failed": 0}
    started = time.perf_counter()
    session = uuid.uuid4().hex[:11]
    try:
        (await http.get(url)).raise_for_status()  # the page, with its config inside
        done, outcome["open_refused"] = await run_events(
            http, url, session, [(fn, trigger, page.data(inputs)) for fn, trigger, inputs in page.on_open], timeout)
        outcome["open_failed"] = sum(not ok for _, _, ok in done)
        outcome["opened_s"] = time.perf_counter() - started
        for press in range(generates):
            typed = {page.prompt: PROMPTS[number % len(PROMPTS)], page.seed: number * 10 + press}
            pressed, first = time.perf_counter(), None
            for fn, trigger, inputs in page.generate:
                done, refused = await run_events(http, url, session, [(fn, trigger, page.data(inputs, typed))], timeout)
                outcome["refused"] += refused
                if refused or not done[0][2]:
                    outcome["failed"] += not refused
                    break
                if first is None:
                    first = time.perf_counter() - pressed - (done[0][1] - done[0][0])  # its first output
            else:
                outcome["generate_s"].append(time.perf_counter() - pressed)
                if outcome["first_result_s"] is None:
                    outcome["first_result_s"] = pressed + first - started
    except httpx.HTTPError:
        outcome["failed"] += 1
    return outcome


def client(students: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=2 * students + 10,
                                                             max_keepalive_connections=2 * students + 10))


async def calibrate(url, page, process, calls) -> dict:
    """Server CPU ms per page open and per Generate, one student at a time (a quiet server)."""
    async with client(1) as http:
        await student(http, url, page, 0, 1, 60)  # warm-up
        cpu = cpu_seconds(process)
        for i in range(calls):
            await student(http, url, page, i, 0, 60)
        per_open = (cpu_seconds(process) - cpu) / calls
        cpu = cpu_seconds(process)
        await student(http, url, page, 1, calls, 60)
        per_generate = (cpu_seconds(process) - cpu - per_open) / calls
    return {"cpu_ms_per_open": round(per_open * 1e3, 1), "cpu_ms_per_generate": round(per_generate * 1e3, 1)}


async def a_class(url, pid, students=100, generates=3, calibration_calls=10, timeout=120) -> dict:
    """``students`` open the page at once and press Generate ``generates`` times each."""
    process = psutil.Process(pid)
    async with httpx.AsyncClient(timeout=30) as http:
        page = Page((await http.get(f"{url}config")).json())
    quiet = await calibrate(url, page, process, calibration_calls)
    cpu, started = cpu_seconds(process), time.perf_counter()
    async with client(students) as http:
        outcomes = await asyncio.wait_for(asyncio.gather(
            *(student(http, url, page, 1000 + n, generates, timeout) for n in range(students))), timeout + 60)
    wall, cpu = time.perf_counter() - started, cpu_seconds(process) - cpu
    generate_s = [s for o in outcomes for s in o["generate_s"]]
    return {
        "students": students, "generates_each": generates, "page_open_events": len(page.on_open),
        "generates_served": len(generate_s), "refused": sum(o["refused"] for o in outcomes),
        "failed": sum(o["failed"] for o in outcomes), "open_events_refused": sum(o["open_refused"] for o in outcomes),
        "open_events_failed": sum(o["open_failed"] for o in outcomes),
        "generate": percentiles(generate_s),
        "opened": percentiles([o["opened_s"] for o in outcomes if o["opened_s"] is not None]),
        "first_result": percentiles([o["first_result_s"] for o in outcomes if o["first_result_s"] is not None]),
        "wall_s": round(wall, 1), "server_cpu_s": round(cpu, 1), **quiet,
    }


# -- memory: many API calls, each a new session ------------------------------------------

def generate_inputs(n: int, model: str = "default") -> list:
    """Every one of /generate's inputs, as raw HTTP must send them: prompt, T, length, decoding, seed,
    alternatives, model, stop at the end, top-k, top-p, min-p."""
    return [PROMPTS[n % len(PROMPTS)], 0.8, 40, "Sampled", n, 5, model, True, None, None, None]


async def api_call(http, url, data, fetch=True) -> bool:
    """POST /call/generate (a new session each time, as a script's raw HTTP call is); read its result."""
    response = await http.post(f"{url}gradio_api/call/generate", json={"data": data})
    if response.status_code != 200:
        return False
    if not fetch:
        return True
    event = response.json()["event_id"]
    async with http.stream("GET", f"{url}gradio_api/call/generate/{event}") as stream:
        async for line in stream.aiter_lines():
            if line.startswith("event:") and line[6:].strip() in ("complete", "error"):
                return line[6:].strip() == "complete"
    return False


async def memory(url, pid, calls=5000, warm_up=500, workers=4, unfetched_every=10, samples=20, model="default") -> dict:
    """Resident memory over ``calls`` API calls after ``warm_up`` of them; every ``unfetched_every``-th
    result is posted and never fetched. Each call is a new session."""
    process = psutil.Process(pid)
    curve, failures, made = [], 0, 0
    lock = asyncio.Lock()

    async def worker(total, record):
        nonlocal failures, made
        while True:
            async with lock:
                if made >= total:
                    return
                made += 1
                n = made
            data = generate_inputs(n, model)
            ok = await api_call(http, url, data, fetch=n % unfetched_every != 0)
            failures += not ok
            if record and n % (total // samples) == 0:
                curve.append((n, round(process.memory_info().rss / 2**20, 1)))

    started = time.perf_counter()
    async with client(workers) as http:
        await asyncio.gather(*(worker(warm_up, False) for _ in range(workers)))
        made = failures = 0
        curve.append((0, round(process.memory_info().rss / 2**20, 1)))
        await asyncio.gather(*(worker(calls, True) for _ in range(workers)))
    rss = [mb for _, mb in curve]
    return {"calls": calls, "warm_up_calls": warm_up, "unfetched_every": unfetched_every, "failures": failures,
            "rss_mb_curve": curve, "rss_mb_start": rss[0], "rss_mb_end": rss[-1], "rss_mb_max": max(rss),
            "growth_percent": round(100 * (max(rss) - rss[0]) / rss[0], 1), "seconds": round(time.perf_counter() - started)}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("url")
    p.add_argument("pid", type=int, help="the server's process id (its CPU time and memory are measured)")
    p.add_argument("--students", type=int, default=100)
    p.add_argument("--generates", type=int, default=3)
    p.add_argument("--memory", type=int, default=0, help="API calls for the memory curve (0: none)")
    args = p.parse_args(argv)
    if args.students:
        print(json.dumps(asyncio.run(a_class(args.url, args.pid, args.students, args.generates)), indent=1), flush=True)
    if args.memory:
        print(json.dumps(asyncio.run(memory(args.url, args.pid, args.memory)), indent=1))


if __name__ == "__main__":
    sys.exit(main())
