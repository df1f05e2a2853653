"""duban (督办): a command-line toolkit for a government supervision office."""

__version__ = "0.1.0"
