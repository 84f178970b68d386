"""The running app (``python app.py``) through gradio_client: every named endpoint, seeded
results, word-level models, and bad input answered with a clear message."""
import math
import socket
from urllib.parse import urlparse

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

import chargen

LESSON_LABELS = [f"T={t:g}" for t in chargen.LESSON_TEMPERATURES]


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False)


@pytest.fixture(scope="module")
def default_model():
    return chargen.shipped_names()[0]


def generate(client, prompt="Moscow, ", temperature=1.0, length=100, decoding="Sampled", seed=0, alternatives=5, **more):
    args = dict(prompt=prompt, temperature=temperature, length=length, decoding=decoding, seed=seed, alternatives=alternatives)
    return client.predict(**args, **more, api_name="/generate")


def outward_address():
    """This machine's address on its network (a UDP "connect" sends nothing), or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


def test_the_app_listens_on_loopback_only(app_url):
    address = outward_address()
    if address is None:
        pytest.skip("this machine has no network address besides loopback")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((address, urlparse(app_url).port), timeout=5).close()


def test_the_api_is_the_named_endpoints(client):
    api = client.view_api(return_format="dict", print_info=False)
    assert set(api["named_endpoints"]) == {"/generate", "/compare", "/lesson_grid"}
    assert not api["unnamed_endpoints"]  # the page's own events are private


def test_generate_returns_the_text_and_every_step(client):
    out = generate(client, "Moscow, ", temperature=0.8, seed=7)
    steps = out["steps"]
    assert (out["prompt"], out["decoding"], out["seed"], out["unknown"]) == ("Moscow, ", "T=0.8", 7, [])
    assert 1 <= len(steps) <= 100 and (out["ended"] or len(steps) == 100)
    assert out["text"] == "".join(s["text"] for s in steps)
    assert out["log_likelihood_bits"] == pytest.approx(sum(math.log2(s["prob_t1"]) for s in steps))
    for s in steps:
        assert 0 < s["prob"] <= 1 and 0 < s["prob_t1"] <= 1 and s["entropy"] >= 0
        top_tokens, top_p1 = [a[0] for a in s["top"]], [a[2] for a in s["top"]]  # [token, id, p_t1, p, removed]
        assert len(top_tokens) == 5 and top_p1 == sorted(top_p1, reverse=True)
        assert s["rank"] > 5 or top_tokens[s["rank"] - 1] == s["token"]


def test_generate_can_go_on_past_the_end_of_the_headline(client):
    out = generate(client, "Today ", length=150, stop_at_end=False)
    assert len(out["steps"]) == len(out["text"]) == 150 and not any(s["end"] for s in out["steps"])


def test_generate_is_the_core_result(client, default_model):
    expected = chargen.load(default_model).generate("President ", length=60, temperature=1.3, seed=3, alternatives=5)
    out = generate(client, "President ", temperature=1.3, length=60, seed=3, model=default_model)
    assert out["text"] == expected.text and out["label"] == expected.label
    assert [s["prob"] for s in out["steps"]] == pytest.approx([s.prob for s in expected.steps])


def test_generate_and_compare_take_the_truncation_samplers(client, default_model):
    core = chargen.load(default_model)
    expected = core.generate("Moscow, ", length=40, temperature=1.5, seed=2, top_k=8, top_p=0.9, min_p=0.05)
    out = generate(client, "Moscow, ", temperature=1.5, length=40, seed=2, model=default_model, top_k=8, top_p=0.9,
                   min_p=0.05)
    assert out["text"] == expected.text and out["label"] == f"{default_model} · T = 1.5 · top-k 8 · top-p 0.9 · min-p 0.05 · seed 2"
    assert [[a[4] for a in s["top"]] for s in out["steps"]] == [[a.removed for a in s.top] for s in expected.steps]
    rows = client.predict("Moscow, ", [0.8, 1.5], 40, 2, default_model, None, 8, 0.9, 0.05, api_name="/compare")["rows"]
    assert rows[1]["text"] == expected.text
    with pytest.raises(AppError, match="top_p must be more than 0 and at most 1"):
        generate(client, top_p=1.5)
    with pytest.raises(AppError, match="min_p must be at least 0"):
        client.predict("Moscow, ", [0.8], 40, 2, default_model, None, None, None, -1, api_name="/compare")


def test_the_same_inputs_and_seed_give_the_same_result(client):
    first = generate(client, "Today ", temperature=1.3, seed=11)
    assert generate(client, "Today ", temperature=1.3, seed=11) == first
    assert generate(client, "Today ", temperature=1.3, seed=12)["text"] != first["text"]


def test_without_a_seed_one_is_drawn_and_returned(client):
    out = generate(client, "Today ", temperature=1.3, seed=None)
    assert generate(client, "Today ", temperature=1.3, seed=out["seed"]) == out


def test_greedy_ignores_temperature_and_seed(client):
    out = generate(client, "On Sunday ", temperature=0.5, decoding="Greedy", seed=1)
    assert out["decoding"] == "greedy" and all(s["rank"] == 1 for s in out["steps"])
    assert generate(client, "On Sunday ", temperature=2.5, decoding="Greedy", seed=2)["text"] == out["text"]


def test_concurrent_requests_keep_their_own_randomness(client):
    jobs = [client.submit("Today ", 1.3, 80, "Sampled", seed, 5, api_name="/generate") for seed in range(6)]
    assert [job.result()["text"] for job in jobs] == [generate(client, "Today ", 1.3, 80, seed=s)["text"] for s in range(6)]


def test_compare_rows_are_generations_with_one_seed(client):
    out = client.predict("Moscow, ", ["Greedy", *chargen.LESSON_TEMPERATURES], 80, 5, api_name="/compare")
    rows = out["rows"]
    assert [r["label"] for r in rows] == ["greedy", *LESSON_LABELS]
    assert rows[2]["text"] == generate(client, "Moscow, ", temperature=0.8, length=80, seed=5)["text"]
    assert rows[0]["text"] == generate(client, "Moscow, ", length=80, decoding="Greedy")["text"]
    for r in rows:
        assert r["steps"] >= 1 and r["mean_entropy_bits"] >= 0 and r["log_likelihood_bits"] <= 0
        assert 0 <= r["repeated_ngram_rate"] <= 1
        assert r["real_word_share"] is None or 0 <= r["real_word_share"] <= 1
    assert rows[0]["mean_entropy_bits"] == 0  # greedy drew from one certain token
    assert [r["mean_entropy_bits"] for r in rows[1:]] == sorted(r["mean_entropy_bits"] for r in rows[1:])
    assert all(r["bits_per_step"] == pytest.approx(-r["log_likelihood_bits"] / r["steps"]) for r in rows)
    assert client.predict("Moscow, ", [0.8], 80, 5, api_name="/compare")["rows"][0]["text"] == rows[2]["text"]


def test_compare_puts_a_word_model_beside_a_character_model(client, default_model):
    temperatures = [0.3, 1.0, 1.8]
    out = client.predict("Oil prices ", temperatures, 30, 4, default_model, "words", api_name="/compare")
    rows = out["rows"]
    assert [(r["model"], r["label"]) for r in rows] == [
        (m, label) for label in ["T=0.3", "T=1", "T=1.8"] for m in (default_model, "words")]
    for name in (default_model, "words"):  # each model's rows are what it gives alone
        alone = client.predict("Oil prices ", temperatures, 30, 4, name, api_name="/compare")["rows"]
        assert [r["text"] for r in rows if r["model"] == name] == [r["text"] for r in alone]
    for r in rows:  # the same statistics for both levels; the real-word share says nothing of a word model's
        assert r["steps"] >= 1 and r["log_likelihood_bits"] <= 0 and 0 <= r["repeated_ngram_rate"] <= 1
        assert r["real_word_share"] is None if r["model"] == "words" else 0 <= r["real_word_share"] <= 1
    with pytest.raises(AppError, match="unknown model"):
        client.predict("Oil prices ", temperatures, 30, 4, default_model, "nonsense", api_name="/compare")


def test_lesson_grid_is_five_prompts_by_five_temperatures(client, default_model):
    out = client.predict(40, 0, api_name="/lesson_grid")
    grid = out["grid"]
    assert (out["model"], out["seed"], list(grid)) == (default_model, 0, list(chargen.LESSON_PROMPTS))
    assert all(list(row) == LESSON_LABELS for row in grid.values())
    assert grid["President "]["T=1.3"] == generate(client, "President ", 1.3, 40, seed=0)["text"]


def test_compare_and_lesson_grid_without_a_seed_return_the_one_drawn(client, default_model):
    out = client.predict("Oil ", [0.8, 1.8], 40, None, default_model, "words", api_name="/compare")
    assert isinstance(out["seed"], int)  # one seed for both models' rows
    assert client.predict("Oil ", [0.8, 1.8], 40, out["seed"], default_model, "words", api_name="/compare") == out
    grid = client.predict(30, None, api_name="/lesson_grid")  # one seed drawn for all five prompts
    assert isinstance(grid["seed"], int) and client.predict(30, grid["seed"], api_name="/lesson_grid") == grid


def test_numeric_text_is_read_alike_in_every_numeric_input(client):
    """One rule (README, the API): text holding a number as JSON writes it is that number, in every numeric input."""
    as_text = generate(client, "Today ", temperature="0.8", length="30", seed="4", alternatives="3", top_k="8",
                       top_p="0.9", min_p="0.01")
    assert as_text == generate(client, "Today ", 0.8, 30, seed=4, alternatives=3, top_k=8, top_p=0.9, min_p=0.01)
    rows = client.predict("Today ", ["0.8", "Greedy"], "30", "4", api_name="/compare")["rows"]
    assert rows == client.predict("Today ", [0.8, "Greedy"], 30, 4, api_name="/compare")["rows"]
    assert client.predict("30", "4", api_name="/lesson_grid") == client.predict(30, 4, api_name="/lesson_grid")
    for bad, message in [(dict(temperature="0,8"), "temperature must be a number from 0.1 to 3, not '0,8'"),
                         (dict(length="30 tokens"), "length must be a number from 1 to 500"),
                         (dict(seed="4.5"), "seed must be a whole number")]:
        with pytest.raises(AppError, match=message):
            generate(client, **bad)


def test_word_models_generate_words(client, word_bundle):
    vocab = chargen.load(word_bundle).vocab
    out = generate(client, "Oil prices", temperature=1.0, length=12, alternatives=3, model=str(word_bundle))
    assert out["unknown"] == [] and len(out["steps"]) >= 1
    assert all(s["token"] in vocab.tokens and len(s["top"]) == 3 for s in out["steps"])
    assert out["text"] == "".join(s["text"] for s in out["steps"])
    assert generate(client, "Zebra oil", length=3, model=str(word_bundle))["unknown"] == ["Zebra"]


def test_unknown_characters_are_left_out_and_reported(client):
    out = generate(client, "Zürich ", length=20)
    assert out["unknown"] == ["ü"] and out["steps"]


@pytest.mark.parametrize("bad, message", [
    (dict(prompt=""), "the prompt is empty"),
    (dict(prompt="   "), "the prompt is empty"),
    (dict(prompt="x" * 2001), "the limit is 2,000"),
    (dict(prompt="éèê"), "knows none of the prompt's characters"),
    (dict(temperature=0), "temperature must be a number from 0.1 to 3, not 0"),
    (dict(temperature=3.5), "temperature must be a number from 0.1 to 3, not 3.5"),
    (dict(temperature="hot"), "temperature must be a number"),
    (dict(length=0), "length must be a number from 1 to 500"),
    (dict(length=100_000), "length must be a number from 1 to 500"),
    (dict(length=1.5), "length must be a whole number"),
    (dict(alternatives=11), "alternatives must be a number from 1 to 10"),
    (dict(seed=-1), "seed must be a number from 0"),
    (dict(decoding="Creative"), "decoding must be 'Greedy' or 'Sampled'"),
    (dict(model="../secret"), "unknown model"),
    (dict(stop_at_end="no"), "stop_at_end must be true or false"),
])
def test_bad_generate_input_gets_a_clear_message(client, bad, message):
    with pytest.raises(AppError, match=message.replace("(", r"\(").replace(".", r"\.")):
        generate(client, **bad)


@pytest.mark.parametrize("temperatures, message", [
    ([], "give at least one temperature"),
    ([0.8, 5], "temperature must be a number from 0.1 to 3, not 5"),
    (["warm"], "temperature must be a number from 0.1 to 3, not 'warm'"),
    ("11", "temperatures must be a list of numbers"),
    ({"T": 1}, "temperatures must be a list of numbers"),
    ([1.0] * 13, "13 temperatures; the limit is 12 rows per comparison"),  # what the page offers
])
def test_bad_compare_input_gets_a_clear_message(client, temperatures, message):
    with pytest.raises(AppError, match=message):
        client.predict("Today ", temperatures, 50, 0, api_name="/compare")


def test_the_server_keeps_serving_after_bad_input(client):
    with pytest.raises(AppError):
        generate(client, prompt="")
    assert generate(client, "Today ", length=10)["steps"]
