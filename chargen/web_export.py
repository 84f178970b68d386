"""A bundle for the browser: ``model.json`` and ``weights.bin``, read by ``web/chargen.mjs``.

``model.json`` holds what the JavaScript decoder needs besides the weights: the architecture and
gate layout, the vocabulary with its reserved ids, its normalization (with the tables it uses, taken
from the Python that defines them), joining rules and case model, the card, the constants of
NumPy's exponential sampler that ``random_stream``'s noise goes through, and where each tensor lies
in ``weights.bin``: little-endian float32, or float16 where the bundle itself stores float16, so the
export casts nothing down and costs no bits beyond the card's ``float16_bits_change``.

Loading goes through :func:`chargen.load`: a bad bundle gets the same :class:`ChargenError`.
"""
from __future__ import annotations

import decimal
import functools
import html
import html.entities
import json
from pathlib import Path

import numpy as np

from . import vocab as vocabs
from .bundle import atomic_write, load, progress, shipped_names, snapshot_name

FORMAT = "chargen-web/1"
MODEL_JSON, WEIGHTS_FILE = "model.json", "weights.bin"
GATES = {"lstm": "i,f,c,o", "gru": "z,r,h (reset_after)"}  # Keras' column order within a kernel


@functools.cache
def exponential_ziggurat() -> dict:
    """The 256-layer ziggurat of NumPy's ``standard_exponential`` (Marsaglia and Tsang, 2000, with
    NumPy's r and 53-bit integers), computed to 60 digits and rounded once: ``ke`` (acceptance
    bounds), ``we`` (widths), ``fe`` (densities). They give NumPy's draws to within 3 units in the
    last place, which the noise's float32 rounding removes (tested in tests/web)."""
    decimal.getcontext().prec = 60
    d = decimal.Decimal
    r = d("7.69711747013104972")  # NumPy's ziggurat_exp_r
    v = (r + 1) * (-r).exp()  # each layer's area: r f(r) plus the tail beyond r
    m = d(2) ** 53
    q = v / (-r).exp()
    ke, we, fe = [0] * 256, [0.0] * 256, [0.0] * 256
    ke[0], we[0], we[255], fe[0], fe[255] = int(r / q * m), float(q / m), float(r / m), 1.0, float((-r).exp())
    x = previous = r
    for i in range(254, 0, -1):
        x = -(v / x + (-x).exp()).ln()
        ke[i + 1], previous = int(x / previous * m), x
        fe[i], we[i] = float((-x).exp()), float(x / m)
    return {"r": float(r), "ke": ke, "we": we, "fe": fe}


def normalization_tables(name: str) -> dict:
    """What a normalization needs besides code: AG News' entities, the tag pattern and Python's HTML
    entity tables (``html.unescape``'s own), so the browser normalizes exactly as ``chargen.vocab``."""
    tables = {"name": name, "lower": name in vocabs.CASE_FOLDED}  # a case-folded one: "clean", then lower case
    if vocabs.CASE_FOLDED.get(name, name) == "clean":
        tables |= {"ag_entities": vocabs._AG_ENTITIES, "tag": vocabs._TAG.pattern, "html5": html.entities.html5,
                   "invalid_charrefs": {str(k): v for k, v in html._invalid_charrefs.items()},
                   "invalid_codepoints": sorted(html._invalid_codepoints)}
    return tables


def vocabulary(vocab) -> dict:
    data = {"level": vocab.level, "tokens": vocab.tokens, "normalization": normalization_tables(vocab.normalization),
            "reserved": dict(zip(("pad", "bos", "eos", "unk", "bot"), vocab.reserved_ids)),
            "unknown_id": vocab._unknown_id}
    if vocab.level == "word":
        data["no_space_before"] = sorted(vocabs._NO_SPACE_BEFORE)
        data["no_space_after"] = sorted(vocabs._NO_SPACE_AFTER)
    if vocab.casing is not None:
        data["restore_case"] = {t: f for t, f in vocab.casing.most_frequent.items() if t != f}
    return data


def tensors(gen) -> list[tuple[str, np.ndarray]]:
    """The Keras weights by name, in the layout Keras keeps them (kernels input x gates)."""
    layers = {layer.name: layer for layer in gen.model.layers}
    out = []
    if "embedding" in layers:
        out.append(("embedding", layers["embedding"].get_weights()[0]))
    for i in range(gen.card.architecture.layers):
        for part, w in zip(("kernel", "recurrent", "bias"), layers[f"rnn_{i}"].get_weights()):
            out.append((f"rnn_{i}.{part}", w))
    kernel, bias = layers["output"].get_weights()
    return out + [("output.kernel", kernel), ("output.bias", bias)]


def export_bundle(name_or_path, out_dir, name: str | None = None) -> dict:
    """Write ``model.json`` and ``weights.bin`` for one bundle into ``out_dir``; returns a summary
    (name, files' bytes, which tensors are float16)."""
    gen = load(name_or_path)
    name = name or gen.name
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    half = set(gen.card.stored_float16 or ())
    entries, chunks, offset = [], [], 0
    for tensor_name, w in tensors(gen):
        dtype = "float16" if tensor_name.split(".")[0] in half else "float32"
        data = np.ascontiguousarray(w, dtype="<f2" if dtype == "float16" else "<f4").tobytes()
        entries.append({"name": tensor_name, "shape": list(w.shape), "dtype": dtype, "offset": offset, "bytes": len(data)})
        chunks.append(data)
        offset += len(data) + (-len(data)) % 4  # each tensor starts on a 4-byte boundary (a Float32Array view)
        chunks.append(b"\0" * ((-len(data)) % 4))
    arch = gen.card.architecture.to_dict()
    model = {
        "format": FORMAT, "name": name, "level": gen.vocab.level,
        "architecture": arch | {"gates": GATES[arch["cell"]]},
        "vocab": vocabulary(gen.vocab), "card": gen.card.to_dict(),
        "noise": {"source": "numpy SeedSequence(seed, spawn_key=prompt ids) -> PCG64 -> standard_exponential -> "
                            "Gumbel -log(E), float32", "ziggurat": exponential_ziggurat()},
        "weights": {"file": WEIGHTS_FILE, "bytes": offset, "float16": sorted(half),
                    "float16_bits_change": gen.card.float16_bits_change, "tensors": entries},
    }
    atomic_write(out_dir / WEIGHTS_FILE, lambda tmp: Path(tmp).write_bytes(b"".join(chunks)))
    text = json.dumps(model, ensure_ascii=False, separators=(",", ":"))
    atomic_write(out_dir / MODEL_JSON, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return {"name": name, "model_json": len(text.encode()), "weights": offset, "float16": sorted(half)}


def export_all(out_dir) -> list[dict]:
    """Every shipped bundle into ``out_dir/<name>/``, and their training snapshots as ``<name>@<epoch>``."""
    out_dir = Path(out_dir)
    done = []
    for name in shipped_names():
        done.append(export_bundle(name, out_dir / name))
        for epoch, directory in progress(name):
            snapshot = snapshot_name(name, epoch)
            done.append(export_bundle(directory, out_dir / snapshot, name=snapshot))
    return done
