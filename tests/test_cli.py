"""python -m chargen generate / compare: options, every argument error as a message, quiet start-up."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

import chargen
from chargen.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run(*argv):
    """``python -m chargen ARGV`` as a user runs it: (return code, stdout, stderr)."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}  # as a user's shell has it
    done = subprocess.run([sys.executable, "-m", "chargen", *map(str, argv)], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=300)
    return done.returncode, done.stdout, done.stderr


def test_tensorflow_s_start_up_lines_are_not_printed_and_the_text_is_reproduced(char_bundle, gen):
    code, out, err = run("generate", char_bundle, "--prompt", "Oil ", "--length", "20", "--seed", "4", "--top-p", "0.9")
    assert (code, err) == (0, "")  # no oneDNN, cudart or cuInit lines
    assert out == "Oil " + gen.generate("Oil ", length=20, seed=4, top_p=0.9).text + "\n"  # the same text in any process
    code, out, err = run("generate", char_bundle, "--top-p", "2")
    assert (code, out) == (2, "") and err == "error: top_p must be more than 0 and at most 1 (or None: off), not 2.0\n"


def test_trace_shows_the_label_and_removed_alternatives(char_bundle, capsys):
    argv = ["generate", str(char_bundle), "--prompt", "Oil ", "--length", "8", "--trace", "--seed", "1",
            "--temperature", "0.8", "--top-k", "2", "--alternatives", "4"]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == f"{chargen.load(char_bundle).name} · T = 0.8 · top-k 2 · seed 1"
    assert all(row.count("x") >= 2 for row in lines[3:])  # the 3rd and 4th alternatives: removed by top-k 2


def test_compare_rows_and_settings(char_bundle, capsys):
    assert main(["compare", str(char_bundle), "--prompt", "Oil ", "--length", "10", "--temperatures", "Greedy, 0.5,2",
                 "--min-p", "0.1", "--seed", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in lines] == ["greedy", "T=0.5", "T=2"]
    expected = chargen.load(char_bundle).generate("Oil ", length=10, temperature=2, min_p=0.1, seed=3).text
    assert lines[2].endswith("Oil " + expected)


@pytest.mark.parametrize("argv, message", [
    (["compare", "--temperatures", "0.3,abc"], "argument --temperatures: 'abc' is not a temperature"),
    (["compare", "--temperatures", ""], "argument --temperatures: give at least one temperature"),
    (["compare", "--temperatures", "0.3,,0.8"], "argument --temperatures: '' is not a temperature"),
    (["compare", "--temperatures", "0,1"], "argument --temperatures: '0' is not a temperature"),
    (["compare", "--temperatures", "nan"], "argument --temperatures: 'nan' is not a temperature"),
    (["compare", "--temperatures", "-1"], "argument --temperatures: '-1' is not a temperature"),
    (["generate", "--temperature", "hot"], "argument --temperature: invalid float value: 'hot'"),
    (["generate", "--length", "ten"], "argument --length: invalid int value: 'ten'"),
    (["generate", "--seed", "1.5"], "argument --seed: invalid int value: '1.5'"),
    (["generate", "--top-k", "many"], "argument --top-k: invalid int value: 'many'"),
    (["generate", "--top-p", "most"], "argument --top-p: invalid float value: 'most'"),
    (["generate", "--min-p", "x"], "argument --min-p: invalid float value: 'x'"),
    (["generate", "--alternatives", "x"], "argument --alternatives: invalid int value: 'x'"),
    (["generate", "--colour"], "unrecognized arguments: --colour"),
])
def test_argument_errors_are_usage_messages(argv, message, capsys):
    with pytest.raises(SystemExit) as exit:
        main(argv)
    assert exit.value.code == 2 and message in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["generate", "BUNDLE", "--temperature", "0"], "error: temperature must be a positive finite number"),
    (["generate", "BUNDLE", "--temperature", "inf"], "error: temperature must be a positive finite number"),
    (["generate", "BUNDLE", "--length", "-1"], "error: length must be between 0 and 5,000, not -1"),
    (["generate", "BUNDLE", "--length", "5001"], "error: length must be between 0 and 5,000, not 5,001"),
    (["generate", "BUNDLE", "--seed", "-1"], "error: seed must be between 0 and"),
    (["generate", "BUNDLE", "--top-k", "0"], "error: top_k must be a whole number of 1 or more"),
    (["generate", "BUNDLE", "--top-p", "0"], "error: top_p must be more than 0 and at most 1"),
    (["generate", "BUNDLE", "--min-p", "1"], "error: min_p must be at least 0 and less than 1"),
    (["generate", "BUNDLE", "--min-p", "nan"], "error: min_p must be a number"),
    (["generate", "BUNDLE", "--alternatives", "-2"], "error: alternatives must be between 0 and"),
    (["generate", "BUNDLE", "--prompt", "x" * 2_001], "error: prompt is 2,001 characters; the limit is 2,000"),
    (["compare", "BUNDLE", "--temperatures", ",".join(["1"] * 33)], "error: 33 temperatures; the limit is 32"),
    (["compare", "BUNDLE", "--with", "/nowhere"], "error: no model bundle"),
    (["generate", "/nowhere"], "error: no model bundle"),
])
def test_value_errors_are_messages_not_tracebacks(argv, message, char_bundle, capsys):
    assert main([str(char_bundle) if a == "BUNDLE" else a for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and "Traceback" not in err


def test_score_prints_every_token_and_the_total(char_bundle, capsys):
    assert main(["score", str(char_bundle), "--text", "Oil ☃up", "--alternatives", "2"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    score = chargen.load(char_bundle).score("Oil ☃up", alternatives=2)
    assert len(lines) == 1 + len(score.tokens) + 1 and lines[-1].startswith(f"{score.bits:.1f} bits, ")
    assert lines[1].split()[:4] == ["'O'", f"{score.tokens[0].prob:.4f}", str(score.tokens[0].rank), f"{score.tokens[0].bits:.2f}"]
    assert "lacks ['☃']" in captured.err
    assert main(["score", str(char_bundle), "--text", "☃"]) == 2
    assert "nothing to score" in capsys.readouterr().err
