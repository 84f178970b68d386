"""The one exception type chargen raises for anything a person caused."""
from __future__ import annotations

import re

MAX_FILE_BYTES = 64 * 2**20  # a bundle's JSON and text files; the shipped ones are under 1 MB


class ChargenError(ValueError):
    """A clear, user-facing error: bad input, a bad file, a bad bundle.

    The message says what was wrong and, where there is one, which file and line.
    Callers (CLI, app) show ``str(error)`` instead of a traceback. An error about an input also
    says what was wrong as data: ``key`` (its kind, say ``"range"``) and ``fields`` (say name,
    low, high, value), so that a caller can say it in its own words and language.
    """

    def __init__(self, message: str, key: str | None = None, **fields):
        super().__init__(message)
        self.key, self.fields = key, fields


# Numeric text as JSON writes a number: digits, an optional decimal point and exponent (a comma is no decimal sign).
NUMERIC_TEXT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)


def read_number(value):
    """The one rule for numeric text in every numeric input: text holding a number (``"100"``, ``" 0.8 "``,
    ``"1e-3"``) is that number, whole-number text an int (a 20-digit seed stays exact); anything else is returned
    as it came, for its check to refuse by name."""
    if not isinstance(value, str) or not NUMERIC_TEXT.fullmatch(value.strip()):
        return value
    text = value.strip()
    return int(text) if text.lstrip("+-").isdigit() else float(text)


def read_text_file(path, what: str) -> str:
    """The UTF-8 text of ``path``, or a ChargenError naming the file and the ``what`` it should be."""
    from pathlib import Path

    path = Path(path)
    try:
        if path.is_dir():
            raise ChargenError(f"{path}: not a valid {what} file (it is a directory)")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ChargenError(f"{path}: not a valid {what} file (over {MAX_FILE_BYTES // 2**20} MB)")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ChargenError(f"{path}: {what} file not found") from None
    except UnicodeDecodeError as e:
        raise ChargenError(f"{path}: not a valid {what} file, not UTF-8 text ({e.reason} at byte {e.start})") from None
    except OSError as e:
        raise ChargenError(f"{path}: cannot read the {what} file ({e.strerror or e})") from None
    if "\x00" in text:
        raise ChargenError(f"{path}: not a valid {what} file (binary: it holds NUL bytes)")
    return text


def read_json_object(path, what: str) -> dict:
    """A JSON object from ``path``, or a ChargenError naming the file and the ``what`` it should be."""
    import json

    text = read_text_file(path, what)
    try:
        data = json.loads(text)
    except ValueError as e:  # JSONDecodeError, or an integer of more digits than Python converts
        raise ChargenError(f"{path}: not a valid {what} file, not valid JSON ({e})") from None
    except RecursionError:
        raise ChargenError(f"{path}: not a valid {what} file, JSON nested too deeply") from None
    if not isinstance(data, dict):
        raise ChargenError(f"{path}: not a valid {what} file (expected a JSON object)")
    return data
