"""The `gsi` command line: parses options, calls one library function, prints the outcome, sets the exit code.

Exit codes: 0 success, 1 data errors (or, with --check, work to do), 2 input that cannot be read or a refused
operation.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__


class UnreadableInput(click.ClickException):
    """Input that cannot be read as a data package, or an operation refused: exit code 2."""

    exit_code = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gsi")
def cli() -> None:
    """Validate, release and load the gsi-tracker data package."""


@cli.command()
@click.argument("path", default=".", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Default: docs/codebook.md under PATH.")
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if the codebook is stale.")
def codebook(path: Path, out: Path | None, check: bool) -> None:
    """Write the codebook from the schemas, the descriptor and the data.

    Example: gsi codebook --check
    """
    from . import codebook as cb
    from .package import PackageError, open_package

    try:
        with open_package(path) as package:
            target = out or package.root / "docs" / "codebook.md"
            if check:
                stale = not target.exists() or target.read_text(encoding="utf-8") != cb.render(package)
                if stale:
                    click.echo(f"{target}: stale; run `gsi codebook` to regenerate it", err=True)
                    sys.exit(1)
                click.echo(f"{target}: up to date")
                return
            changed = cb.write(package, target)
    except PackageError as e:
        raise UnreadableInput(str(e)) from None
    click.echo(f"{target}: {'written' if changed else 'unchanged'}")


def main() -> None:
    cli(prog_name="gsi")
