"""The `gsi` command line: parses options, calls one library function, prints the outcome, sets the exit code.

Exit codes: 0 success, 1 data errors (or, with --check, work to do), 2 input that cannot be read or a refused
operation.
"""

from __future__ import annotations

import click

from . import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gsi")
def cli() -> None:
    """Validate, release and load the gsi-tracker data package."""


def main() -> None:
    cli(prog_name="gsi")
