"""User-facing errors.

Anything a user can cause (a bad image, a wrong checkpoint, an unknown chip, a tampered bundle, a missing tool)
raises `EdgeError` with a one-line message. The CLI prints that line and exits 2; library callers can catch it.
"""


class EdgeError(Exception):
    """A problem with the user's input or environment, explained in one line."""


class ImageError(EdgeError):
    """The image cannot be read, is empty, or is too large."""


class CheckpointError(EdgeError):
    """The checkpoint directory is missing, malformed, or does not match the preset."""


class BundleError(EdgeError):
    """The bundle directory is missing files, or a file no longer matches its manifest hash."""


def first_line(err: BaseException, limit: int = 300) -> str:
    """The first meaningful line of an exception's text (tools wrap theirs in boxes and tracebacks), for a one-line
    error; the exception's type name when it has no text."""
    for line in str(err).splitlines():
        text = line.strip(" |│┌┐└┘─")
        if text:
            return text[:limit]
    return type(err).__name__
