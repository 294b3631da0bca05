"""truthgate: turn a repository's promises (product/truth.yaml) into a gate."""

__version__ = "0.1.0"
