"""Vocabularies: one tokenizer interface, two levels (characters and words).

Ids 0-3 are reserved in every vocabulary and can never be generated:

    0 <pad>  padding, excluded from the loss
    1 <bos>  fed before every title (so an empty prompt still has a context)
    2 <eos>  end of title: the model predicts it, the decoder stops on it
    3 <unk>  a word outside the vocabulary (word level; unused by characters)
    4 <bot>  fed before extra training text (AG News descriptions), so the
             model knows a title from other text and generates titles after <bos>

Unknown prompt text policy (``encode_prompt`` reports what was affected):
characters a character vocabulary lacks are dropped; words a word vocabulary
lacks become <unk>, which the word model was trained to read.

Case folding (normalization ``clean-lower``): the model reads and writes lower
case, and the vocabulary keeps a :class:`CaseModel` of the training text, which
restores each generated word's case and charges evaluation the bits to do so,
so a case-folded model's bits stay comparable with a cased one's.
"""
from __future__ import annotations

import collections
import html
import json
import math
import re
from pathlib import Path

from .errors import ChargenError, read_json_object

PAD, BOS, EOS, UNK, BOT = 0, 1, 2, 3, 4
RESERVED = ("<pad>", "<bos>", "<eos>", "<unk>", "<bot>")

# AG News was scraped with "&" turned into a space: "Today&#39;s" reads "Today #39;s".
_AG_ENTITIES = {" #39;": "'", " quot;": '"', " #36;": "$", " amp;": "&", " #151;": " - "}
_AG_ENTITY = re.compile("|".join(re.escape(k) for k in _AG_ENTITIES))
_TAG = re.compile(r"<[^>]{0,40}>")
_SPACES = re.compile(r"\s+")


def clean_ag_news(text: str) -> str:
    """The "clean" normalization: undo AG News' HTML debris, keep everything else.

    ``Today #39;s`` -> ``Today's``; ``&lt;b&gt;...&lt;/b&gt;`` -> ``...``;
    ``\\$5`` -> ``$5``; runs of white space fold to one space (a prompt's trailing
    space is kept: "Today " asks for the next word).
    """
    text = _AG_ENTITY.sub(lambda m: _AG_ENTITIES[m.group(0)], text)
    text = html.unescape(text).replace("\\$", "$").replace("\\", " ")
    text = _TAG.sub("", text)
    return _SPACES.sub(" ", text)


NORMALIZATIONS = {
    "none": lambda text: text,
    "clean": clean_ag_news,
    "clean-lower": lambda text: clean_ag_news(text).lower(),  # case folded: fewer distinct words
}
CASE_FOLDED = {"clean-lower": "clean"}  # a case-folded normalization -> the one whose case it restores


class CaseModel:
    """Case for case-folded tokens, counted over the training text's tokens.

    ``forms`` maps a lower-cased token to the counts of its forms (``{"oil": {"Oil": 2, "oil": 1}}``).
    Bits to restore a form: a token seen in training costs -log2 of the form's share among the
    token's forms, with one extra count kept for a form never seen. An unseen token (or form)
    escapes to its pattern (lower, Capitalized, UPPER, other; add-one shares over the training
    tokens), and "other" then costs one bit per letter. Tokens without letters cost nothing.
    Restoring writes a token's most frequent form.
    """

    def __init__(self, forms: dict[str, dict[str, int]]):
        self.forms = forms
        self.patterns = collections.Counter()
        for counts in forms.values():
            for form, n in counts.items():
                self.patterns[self.pattern(form)] += n
        self.total = sum(self.patterns.values())
        self.most_frequent = {token: max(counts, key=counts.get) for token, counts in forms.items()}

    @classmethod
    def count(cls, tokens) -> "CaseModel":
        forms = collections.defaultdict(collections.Counter)
        for token in tokens:
            forms[token.lower()][token] += 1
        return cls({token: dict(counts) for token, counts in sorted(forms.items())})

    @staticmethod
    def pattern(token: str) -> str:
        if token == token.lower():
            return "lower"
        if token == token.upper():
            return "upper"
        return "capitalized" if token == token[:1].upper() + token[1:].lower() else "other"

    def bits(self, token: str) -> float:
        if token.lower() == token.upper():
            return 0.0
        counts = self.forms.get(token.lower(), {})
        seen = sum(counts.values())
        if token in counts:
            return -math.log2(counts[token] / (seen + 1))
        escape = -math.log2(1 / (seen + 1))
        pattern = self.pattern(token)
        letters = sum(c.isalpha() for c in token) if pattern == "other" else 0
        return escape - math.log2((self.patterns[pattern] + 1) / (self.total + 4)) + letters

    def restore(self, token: str) -> str:
        return self.most_frequent.get(token, token)

# Words: runs of letters/digits (with inner apostrophes, dots and dashes: "Today's",
# "U.S.", "Tri-Nations", "1.88"), and every other non-space character on its own.
_WORD = re.compile(r"\w+(?:['.\-]\w+)*\.?(?<=[A-Z]\.)|\w+(?:['.\-]\w+)*|[^\w\s]")
_NO_SPACE_BEFORE = set(",.;:!?)]}%'") | {"'s", "n't"}
_NO_SPACE_AFTER = set("([{$")


class Vocab:
    """Maps text to ids and back. Subclasses define what a token is."""

    level = ""

    def __init__(self, tokens: list[str], normalization: str = "none", casing: dict | None = None):
        if list(tokens[: len(RESERVED)]) != list(RESERVED):
            raise ChargenError(f"field tokens: the vocabulary must start with the reserved tokens {RESERVED}")
        if normalization not in NORMALIZATIONS:
            raise ChargenError(f"unknown normalization {normalization!r}; choose from {sorted(NORMALIZATIONS)}")
        self.tokens = list(tokens)
        self.normalization = normalization
        self.index = {t: i for i, t in enumerate(self.tokens)}
        if len(self.index) != len(self.tokens):
            raise ChargenError("field tokens: the vocabulary has duplicate tokens")
        if (normalization in CASE_FOLDED) != (casing is not None):
            raise ChargenError(f"field casing: a vocabulary with normalization {normalization!r} "
                               f"{'needs' if casing is None else 'takes no'} case model")
        self.casing = None if casing is None else CaseModel(casing["forms"])

    pad, bos, eos, unk, bot = PAD, BOS, EOS, UNK, BOT
    reserved_ids = (PAD, BOS, EOS, UNK, BOT)

    def __len__(self) -> int:
        return len(self.tokens)

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and self.to_dict() == other.to_dict()

    # -- the interface every level implements -------------------------------------
    def tokenize(self, text: str) -> list[str]:
        raise NotImplementedError

    def pieces(self, tokens: list[str], after: str = "") -> list[str]:
        """Each token's text as it follows the tokens before it and ``after`` (the text so far)."""
        raise NotImplementedError

    def join(self, tokens: list[str], after: str = "") -> str:
        """Text for ``tokens`` as they would follow ``after``."""
        return "".join(self.pieces(tokens, after))

    # -- shared behaviour ---------------------------------------------------------
    def normalize(self, text: str) -> str:
        return NORMALIZATIONS[self.normalization](text)

    def display(self, text: str) -> str:
        """``text`` normalized for people: as ``normalize``, but a case-folded vocabulary keeps its case."""
        return NORMALIZATIONS[CASE_FOLDED.get(self.normalization, self.normalization)](text)

    def case_bits(self, text: str) -> float:
        """Bits to restore ``text``'s case after case folding (0 for a vocabulary that keeps case)."""
        if self.casing is None:
            return 0.0
        return sum(self.casing.bits(token) for token in self.tokenize(self.display(text)))

    def encode_prompt(self, text: str) -> tuple[list[int], list[str]]:
        """Ids for a prompt and the tokens the vocabulary lacked (see module doc)."""
        ids, unknown = [], []
        for token in self.tokenize(self.normalize(text)):
            i = self.index.get(token)
            if i is None or i in self.reserved_ids:
                unknown.append(token)
                i = self._unknown_id
            if i is not None:
                ids.append(i)
        return ids, unknown

    def encode(self, text: str) -> list[int]:
        return self.encode_prompt(text)[0]

    def decode(self, ids) -> str:
        return self.join([self.tokens[i] for i in ids if i not in self.reserved_ids])

    def to_dict(self) -> dict:
        data = {"level": self.level, "normalization": self.normalization, "tokens": self.tokens}
        return data if self.casing is None else {**data, "casing": {"forms": self.casing.forms}}

    def save(self, path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=0), encoding="utf-8")

    @classmethod
    def build(cls, texts, normalization: str = "none", max_size: int | None = None, min_count: int = 1):
        """A vocabulary of the tokens in ``texts``, most frequent first."""
        normalize = NORMALIZATIONS[normalization]
        counts = collections.Counter()
        probe = cls(list(RESERVED))  # for its tokenizer
        for text in texts:
            counts.update(probe.tokenize(normalize(text)))
        ranked = [t for t, n in counts.most_common() if t not in RESERVED]
        kept = [t for t in ranked if counts[t] >= min_count][: None if max_size is None else max_size - len(RESERVED)]
        if not kept:
            raise ChargenError("cannot build a vocabulary from empty text")
        left_out = {t: counts[t] for t in ranked if t not in set(kept)}
        casing = None
        if normalization in CASE_FOLDED:
            cased = NORMALIZATIONS[CASE_FOLDED[normalization]]
            casing = {"forms": CaseModel.count(t for text in texts for t in probe.tokenize(cased(text))).forms}
        return cls._from_counts(kept, left_out, normalization, casing)

    @classmethod
    def _from_counts(cls, kept, left_out, normalization, casing):
        return cls(list(RESERVED) + kept, normalization, casing)


class CharVocab(Vocab):
    """One token per character; unknown prompt characters are dropped."""

    level = "char"
    _unknown_id = None

    def tokenize(self, text: str) -> list[str]:
        return list(text)

    @classmethod
    def _from_counts(cls, kept, left_out, normalization, casing):
        return cls(list(RESERVED) + sorted(kept), normalization, casing)  # a stable, readable order

    def pieces(self, tokens, after: str = "") -> list[str]:
        return list(tokens)


class WordVocab(Vocab):
    """Words and punctuation as tokens, case kept (or folded, then restored: see the module
    doc); unknown words become <unk>.

    Tokens: runs of letters and digits with inner ``' . -`` ("Today's", "U.S.",
    "Tri-Nations", "1.88"), and every other non-space character on its own.
    Joining puts a space between tokens except before ``, . ; : ! ? ) ] } % '``
    (and ``'s``), and after ``( [ { $``. A prompt's last word counts as complete
    even without a space after it: "Presid" is the (unknown) word "Presid".

    ``spelling`` is a character unigram model (counts, with an end-of-word count)
    of the training tokens left out of the vocabulary: evaluation charges an
    out-of-vocabulary word its <unk> probability plus the bits to spell it.
    """

    level = "word"
    _unknown_id = UNK
    UNSEEN_CHAR_BITS = 16.0  # a character the spelling model never saw: one of 65,536 code points

    def __init__(self, tokens, normalization="none", spelling: dict | None = None, casing: dict | None = None):
        super().__init__(tokens, normalization, casing)
        self.spelling = spelling or {"counts": {}, "end": 0}
        counts = self.spelling["counts"]
        total = sum(counts.values()) + self.spelling["end"] + len(counts) + 2  # add-one: each char, end, other
        self._char_bits = {c: -math.log2((n + 1) / total) for c, n in counts.items()}
        self._end_bits = -math.log2((self.spelling["end"] + 1) / total)
        self._other_bits = -math.log2(1 / total) + self.UNSEEN_CHAR_BITS

    @classmethod
    def _from_counts(cls, kept, left_out, normalization, casing):
        chars = collections.Counter()
        for token, n in left_out.items():
            for c in token:
                chars[c] += n
        spelling = {"counts": dict(sorted(chars.items())), "end": sum(left_out.values())}
        return cls(list(RESERVED) + kept, normalization, spelling, casing)

    def spelling_bits(self, word: str) -> float:
        """Bits to spell ``word`` (and end it) with the character unigram model."""
        return sum(self._char_bits.get(c, self._other_bits) for c in word) + self._end_bits

    def to_dict(self) -> dict:
        return {**super().to_dict(), "spelling": self.spelling}

    def tokenize(self, text: str) -> list[str]:
        return _WORD.findall(text)

    def pieces(self, tokens, after: str = "") -> list[str]:
        out = []
        previous = after[-1:] if after else ""
        for token in tokens:
            space = previous and not previous.isspace() and token not in _NO_SPACE_BEFORE and previous not in _NO_SPACE_AFTER
            text = token if self.casing is None else self.casing.restore(token)
            out.append(" " + text if space else text)
            previous = token[-1]
        return out


LEVELS = {"char": CharVocab, "word": WordVocab}


MAX_TOKENS = 2**21  # ids a vocabulary may have: far beyond any word model the page can run
MAX_COUNT = 2**53  # a count (in a case or spelling model, or a card): exact in a JSON number


def vocab_from_dict(data: dict) -> Vocab:
    """A vocabulary from its JSON object, every field checked (ChargenError naming the field)."""
    if not isinstance(data, dict):
        raise ChargenError("not a vocabulary (expected a JSON object)")
    level, normalization, tokens = data.get("level"), data.get("normalization", "none"), data.get("tokens")
    if not isinstance(level, str) or level not in LEVELS:
        raise ChargenError(f"field level: must be one of {', '.join(LEVELS)}, not {level!r:.40}")
    unknown = sorted(set(data) - {"level", "normalization", "tokens", "casing"} - ({"spelling"} if level == "word" else set()))
    if unknown:
        raise ChargenError(f"unknown field(s) {', '.join(map(repr, unknown))}")
    if not isinstance(normalization, str) or normalization not in NORMALIZATIONS:
        raise ChargenError(f"field normalization: must be one of {', '.join(NORMALIZATIONS)}, not {normalization!r:.40}")
    if not isinstance(tokens, list) or not len(RESERVED) < len(tokens) <= MAX_TOKENS:
        raise ChargenError(f"field tokens: must be a list: the {len(RESERVED)} reserved tokens {RESERVED}, "
                           f"then 1 to {MAX_TOKENS - len(RESERVED):,} more")
    for i, token in enumerate(tokens[len(RESERVED):], start=len(RESERVED)):
        if not isinstance(token, str) or (len(token) != 1 if level == "char" else not token or any(
                c.isspace() for c in token)):
            raise ChargenError(f"field tokens[{i}]: {token!r:.40} is not a {level} token "
                               f"({'one character' if level == 'char' else 'a word without spaces'})")
    extra = {}
    if "casing" in data:
        forms = _object(_section(data, "casing", ("forms",))["forms"], "casing.forms")
        for token, counts in forms.items():
            if not _object(counts, f"casing.forms[{token!r:.40}]"):
                raise ChargenError(f"field casing.forms[{token!r:.40}]: no forms counted")
            for form, n in counts.items():
                _count(n, f"casing.forms[{token!r:.40}][{form!r:.40}]", low=1)
        extra["casing"] = {"forms": forms}
    if "spelling" in data:
        spelling = _section(data, "spelling", ("counts", "end"))
        counts = _object(spelling["counts"], "spelling.counts")
        for c, n in counts.items():
            if len(c) != 1:
                raise ChargenError(f"field spelling.counts: {c!r:.40} is not one character")
            _count(n, f"spelling.counts[{c!r}]")
        extra["spelling"] = {"counts": counts, "end": _count(spelling["end"], "spelling.end")}
    return LEVELS[level](tokens, normalization, **extra)


def _section(data: dict, name: str, keys: tuple) -> dict:
    if not isinstance(data[name], dict) or set(data[name]) != set(keys):
        raise ChargenError(f"field {name}: must be an object with exactly {', '.join(map(repr, keys))}")
    return data[name]


def _object(value, where: str) -> dict:
    """A JSON object of non-empty text keys."""
    if not isinstance(value, dict) or "" in value:
        raise ChargenError(f"field {where}: must be an object with non-empty keys, not {value!r:.40}")
    return value


def _count(value, where: str, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_COUNT:
        raise ChargenError(f"field {where}: must be a whole number from {low} to 2**53, not {value!r:.40}")
    return value


def load_vocab(path) -> Vocab:
    """The vocabulary in ``path``; ChargenError naming the file and field otherwise."""
    data = read_json_object(path, "vocabulary")
    try:
        return vocab_from_dict(data)
    except ChargenError as e:
        raise ChargenError(f"{path}: {e}") from None
