"""Writing new files for the user: a review skeleton (`publisher new`)."""

from .review import ScaffoldError, write_skeleton

__all__ = ["ScaffoldError", "write_skeleton"]
