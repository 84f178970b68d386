"""chargen: a character- (or word-) level recurrent text generator you can see inside.

    import chargen
    gen = chargen.load()                     # the shipped default ("lesson", "words", or a path)
    out = gen.generate("Today ", temperature=0.8, seed=0)
    out.text, out.label, out.steps[0].top, out.distribution(0).sample(1000)
    gen.score("Oil prices rise")             # every token's probability, rank and bits
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow's start-up chatter is not for users
# Decoding multiplies one row by a matrix per step. A second BLAS thread speeds the default
# model's 384-wide steps by 1.6x on an idle 2-core machine, but slows every step once the
# other core is busy (lesson model: 22,000 -> 15,000 chars/s beside a training run; an earlier
# busy spell took a step from 0.2 ms to 40 ms), so one thread. Takes effect when chargen is
# imported before NumPy; app.py sets it first thing.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from .bundle import load, progress, shipped_names  # noqa: E402
from .decode import (  # noqa: E402
    LESSON_PROMPTS,
    LESSON_TEMPERATURES,
    Alternative,
    Distribution,
    Draws,
    Generation,
    Generator,
    Limits,
    Step,
    Stepper,
)
from .errors import ChargenError  # noqa: E402
from .vocab import CharVocab, Vocab, WordVocab  # noqa: E402

__all__ = ["load", "progress", "shipped_names", "Generator", "Generation", "Limits", "Step", "Stepper", "Alternative", "Distribution", "Draws",
           "LESSON_PROMPTS", "LESSON_TEMPERATURES", "ChargenError", "Vocab", "CharVocab", "WordVocab"]
__version__ = "0.1.0"
