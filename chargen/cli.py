"""``python -m chargen {train,evaluate,generate,compare,score,export-web,site}``: the core from a terminal."""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import math
import os
import sys

from .card import Evaluation
from .errors import ChargenError


def temperatures_list(text: str) -> list[float | None]:
    """``--temperatures``: comma-separated positive numbers, ``greedy`` for argmax."""
    items = [item.strip() for item in text.split(",")]
    if not any(items):
        raise argparse.ArgumentTypeError("give at least one temperature, e.g. greedy,0.3,0.8")
    temperatures = []
    for item in items:
        if item.lower() == "greedy":
            temperatures.append(None)
            continue
        try:
            t = float(item)
        except ValueError:
            t = math.nan
        if not (math.isfinite(t) and t > 0):
            raise argparse.ArgumentTypeError(f"{item!r} is not a temperature: give positive numbers or 'greedy', "
                                             "separated by commas (e.g. greedy,0.3,0.8)")
        temperatures.append(t)
    return temperatures


def _add_decoding(p):
    p.add_argument("bundle", nargs="?", default=None, help="bundle directory or shipped name (default: the shipped default)")
    p.add_argument("--prompt", default="Today ", help="text to continue (default: %(default)r)")
    p.add_argument("--length", type=int, default=100, help="tokens to generate at most (default: %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="random seed; the same seed and prompt give the same text "
                   "(default: %(default)s)")
    p.add_argument("--top-k", type=int, help="sample only from the k most probable tokens (default: off)")
    p.add_argument("--top-p", type=float, help="sample only from the smallest set of most probable tokens whose "
                   "probability reaches p, 0 < p <= 1 (default: off)")
    p.add_argument("--min-p", type=float, help="drop tokens less probable than min-p times the most probable one, "
                   "0 <= min-p < 1 (default: off)")
    p.add_argument("--alternatives", type=int, default=5, help="most probable tokens recorded per step (default: %(default)s)")
    p.add_argument("--no-stop", action="store_true", help="do not stop at the end of a title")


def _add_training(p):
    """One flag per TrainConfig field, with its default and meaning from there."""
    import dataclasses
    import typing

    from .train import TrainConfig

    hints = typing.get_type_hints(TrainConfig)
    for f in dataclasses.fields(TrainConfig):
        meta, flag = f.metadata, "--" + f.name.replace("_", "-")
        kind = typing.get_args(hints[f.name])[0] if typing.get_args(hints[f.name]) else hints[f.name]
        default = "" if f.default is None else f" (default: {','.join(f.default) if meta['type'] else f.default})"
        if kind is bool:
            p.add_argument(flag, action="store_true", help=meta["help"])
        elif meta["type"] in ("names", "epochs"):  # comma-separated
            item = _number(int) if meta["type"] == "epochs" else str
            p.add_argument(flag, type=lambda text, item=item: tuple(item(n.strip()) for n in text.split(",") if n.strip()),
                           default=f.default, help=meta["help"] + default)
        else:
            p.add_argument(flag, type=_number(kind) if kind in (int, float) else kind, default=f.default,
                           choices=meta["choices"], required=meta["required"], help=meta["help"] + default)


def _number(kind):
    """An argparse type whose error says what was expected ("--lr: 'abc' is not a number")."""
    def parse(text):
        try:
            return kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {'a whole number' if kind is int else 'a number'}") from None
    parse.__name__ = kind.__name__
    return parse


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m chargen", description=__doc__.splitlines()[0])
    sub = root.add_subparsers(dest="command", required=True)

    p = sub.add_parser("train", help="train a model into a bundle directory")
    _add_training(p)

    p = sub.add_parser("evaluate", help="bits per character on held-out titles")
    p.add_argument("bundle", nargs="?", default=None)
    p.add_argument("--data", required=True, help="AG News CSV or text file of titles, or tfds:ag_news_subset (test split)")
    p.add_argument("--write", action="store_true", help="write the result into the bundle's card (test.bits_per_char, ...)")

    p = sub.add_parser("generate", help="continue a prompt")
    _add_decoding(p)
    p.add_argument("--temperature", type=float, default=1.0)
    p.add_argument("--greedy", action="store_true", help="always take the most probable token")
    p.add_argument("--trace", action="store_true", help="print the per-step table")

    p = sub.add_parser("compare", help="one line per temperature (and bundle)")
    _add_decoding(p)
    p.add_argument("--with", dest="other", help="a second bundle, printed in alternating rows")
    p.add_argument("--temperatures", type=temperatures_list, default="greedy,0.3,0.8,1.0,1.3,1.8",
                   help="comma-separated positive numbers; 'greedy' for argmax (default: %(default)s)")

    p = sub.add_parser("export-web", help="write a bundle for the browser (model.json and weights.bin, read by "
                       "web/chargen.mjs)")
    p.add_argument("bundle", nargs="?", default=None, help="bundle directory or shipped name (default: the shipped default)")
    p.add_argument("out", help="the folder to write (with --all: one folder per model inside it)")
    p.add_argument("--all", action="store_true", help="every shipped bundle and its training snapshots (lesson@8, ...)")

    p = sub.add_parser("score", help="how probable the model finds a given text, token by token")
    p.add_argument("bundle", nargs="?", default=None, help="bundle directory or shipped name (default: the shipped default)")
    p.add_argument("--text", required=True, help="the text to score, e.g. a real headline")
    p.add_argument("--alternatives", type=int, default=3, help="the model's preferred tokens shown per token (default: %(default)s)")

    p = sub.add_parser("site", help="write the browser edition: a static site of the page and the shipped models")
    p.add_argument("out", help="the folder to write (index.html, the page's modules, models/, README.md)")
    return root


def print_score(score, file=None):
    file = file or sys.stdout
    print(f"{'token':<14} {'p(T=1)':>8} {'rank':>5} {'bits':>6}  the model preferred", file=file)
    for t in score.tokens:
        preferred = "  ".join(f"{a.token!r}:{a.p_t1:.3f}" for a in t.top)
        print(f"{t.token!r:<14} {t.prob:>8.4f} {t.rank:>5} {t.bits:>6.2f}  {preferred}", file=file)
    print(f"{score.bits:.1f} bits, {score.bits_per_char:.3f} bits per character ({score.characters} characters; "
          "the first character given, as evaluate counts)", file=file)


def print_trace(out, file=None):
    file = file or sys.stdout
    print(out.label, file=file)
    print(f"{'step':>4}  {'token':<12} {'p':>7} {'p(T=1)':>7} {'rank':>4} {'H bits':>6}  top alternatives (p at T=1; "
          "x: removed by truncation)", file=file)
    for i, s in enumerate(out.steps, 1):
        top = "  ".join(f"{a.token!r}:{a.p_t1:.3f}{'x' if a.removed else ''}" for a in s.top)
        print(f"{i:>4}  {s.token!r:<12} {s.prob:>7.4f} {s.prob_t1:>7.4f} {s.rank:>4} {s.entropy:>6.2f}  {top}", file=file)


def _run(args) -> int:
    from . import bundle

    if args.command == "train":
        from .train import TrainConfig, train

        out = train(TrainConfig(**{name: value for name, value in vars(args).items() if name != "command"}))
        print(f"saved the best epoch to {out}")
        return 0

    if args.command == "evaluate":
        from .data import field_texts, read_source
        from .evaluate import evaluate_texts

        gen = bundle.load(args.bundle)
        result = evaluate_texts(gen, field_texts(read_source(args.data, split="test")))
        print(f"{gen.name}: {result['bpc']:.4f} bits per character, {result['bits_per_title']:.1f} bits per title "
              f"({result['titles']:,} titles, {result['predictions_per_title']} predictions per title)")
        if args.write:
            directory = bundle.resolve(args.bundle)
            bundle.write_card(directory, dataclasses.replace(gen.card, test=Evaluation.of(result, str(args.data))))
            print(f"wrote the test figures into {directory / bundle.CARD_FILE}")
        return 0

    if args.command == "site":
        from .site import build

        print(f"wrote the browser edition to {build(args.out)}: serve it with python -m http.server")
        return 0

    if args.command == "export-web":
        from .web_export import export_all, export_bundle

        if args.all and args.bundle is not None:
            raise ChargenError("export-web --all exports every shipped bundle: give only the output folder")
        done = export_all(args.out) if args.all else [export_bundle(args.bundle, args.out)]
        for model in done:
            half = f", float16: {', '.join(model['float16'])}" if model["float16"] else ""
            print(f"{model['name']}: model.json {model['model_json']:,} bytes, weights.bin {model['weights']:,} bytes{half}")
        return 0

    gen = bundle.load(args.bundle)
    if args.command == "score":
        score = gen.score(args.text, alternatives=args.alternatives)
        if score.unknown:
            print(f"note: the vocabulary lacks {score.unknown!r}; see the README's unknown-text policy", file=sys.stderr)
        print_score(score)
        return 0
    decoding = dict(length=args.length, seed=args.seed, top_k=args.top_k, top_p=args.top_p, min_p=args.min_p,
                    alternatives=args.alternatives, stop_at_end=not args.no_stop)
    if args.command == "generate":
        out = gen.generate(args.prompt, temperature=args.temperature, greedy=args.greedy, **decoding)
        if out.unknown:
            print(f"note: the vocabulary lacks {out.unknown!r}; see the README's unknown-text policy", file=sys.stderr)
        print(args.prompt + out.text)
        if args.trace:
            print_trace(out)
        return 0

    temperatures = args.temperatures
    gens = [gen] + ([bundle.load(args.other)] if args.other else [])
    rows = [g.compare(args.prompt, temperatures, **decoding) for g in gens]
    for i in range(len(temperatures)):
        for g, outs in zip(gens, rows):
            out = outs[i]
            print(f"{g.name:<10} {out.decoding:<7} {args.prompt}{out.text}")
    return 0


@contextlib.contextmanager
def native_stderr_silenced():
    """Send what C++ code writes to stderr (file descriptor 2) to /dev/null for a while."""
    sys.stderr.flush()
    saved, null = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def quiet_tensorflow() -> None:
    """Import TensorFlow and find its devices with C++'s stderr silenced: its start-up lines (oneDNN,
    cudart, cuInit) are written there whatever TF_CPP_MIN_LOG_LEVEL says. Numbers are unchanged.
    Nothing to do when Keras runs on another backend (``KERAS_BACKEND=jax``: TensorFlow need not be installed)."""
    if os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow":
        return
    with native_stderr_silenced():
        import tensorflow as tf

        tf.config.list_physical_devices()


def main(argv=None) -> int:
    quiet_tensorflow()  # first: the train command's flags come from chargen.train, which imports Keras
    args = parser().parse_args(argv)
    try:
        return _run(args)
    except ChargenError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        resume = " (training: continue with --resume; the last finished epoch is kept)" if args.command == "train" else ""
        print(f"interrupted{resume}", file=sys.stderr)
        return 130
