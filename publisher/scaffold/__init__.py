"""Writing new files for the user: a review skeleton (`publisher new`)."""

from .review import Film, ScaffoldError, Written, write_skeleton

__all__ = ["Film", "ScaffoldError", "Written", "write_skeleton"]
