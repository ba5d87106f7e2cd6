"""Command line: thin verbs over the library. Each verb is a module with `register(commands)`
(its options) and `run(args)` (call the library, print, return an exit code); `common` holds
what they share (the reporting options, printing diagnostics, progress).

Exit codes: 0 success, 1 content or build error, 2 usage error.
"""

from .main import main

__all__ = ["main"]
