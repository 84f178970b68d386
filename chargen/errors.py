"""The one exception type chargen raises for anything a person caused."""


class ChargenError(ValueError):
    """A clear, user-facing error: bad input, a bad file, a bad bundle.

    The message says what was wrong and, where there is one, which file and line.
    Callers (CLI, app) show ``str(error)`` instead of a traceback.
    """


def read_json_object(path, what: str) -> dict:
    """A JSON object from ``path``, or a ChargenError naming the file and the ``what`` it should be."""
    import json
    from pathlib import Path

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ChargenError(f"{path}: {what} file not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ChargenError(f"{path}: not a valid {what} file, not valid JSON ({e})") from None
    if not isinstance(data, dict):
        raise ChargenError(f"{path}: not a valid {what} file (expected a JSON object)")
    return data
