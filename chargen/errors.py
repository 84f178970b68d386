"""The one exception type chargen raises for anything a person caused."""


class ChargenError(ValueError):
    """A clear, user-facing error: bad input, a bad file, a bad bundle.

    The message says what was wrong and, where there is one, which file and line.
    Callers (CLI, app) show ``str(error)`` instead of a traceback.
    """
