"""Writing new files for the user: a review skeleton (`publisher new`)."""

from .review import FilmArguments, ScaffoldError, Written, write_skeleton

__all__ = ["FilmArguments", "ScaffoldError", "Written", "write_skeleton"]
