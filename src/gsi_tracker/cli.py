"""The `gsi` command line: parses options, calls one library function, prints the outcome, sets the exit code.

Exit codes: 0 success, 1 data errors (or, with --check, work to do), 2 input that cannot be read or a refused
operation.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .package import PackageError

F = TypeVar("F", bound=Callable[..., Any])


class UnreadableInput(click.ClickException):
    """Input that cannot be read as a data package, or an operation refused: exit code 2. The message is one line,
    with control characters shown as escapes (a file name cannot send escape sequences to the terminal)."""

    exit_code = 2

    def __init__(self, message: str):
        from .escape import printable

        super().__init__(printable(message))


# stats and report compute figures from the fields of the gsi-tracker tables; a package whose schemas lack one of
# them (or whose data does not convert) fails with one of these, which is input to refuse, not a bug to trace.
SHAPE_ERRORS = (KeyError, ValueError, TypeError, AttributeError, IndexError)


def _not_the_shape(path: Path, command: str, error: Exception) -> str:
    reason = str(error).splitlines()[0] if str(error) else ""
    needs = "CSV files that hold their schemas' fields" if command == "diff" else "the tables and fields of gsi-tracker"
    return f"{path}: gsi {command} needs {needs} ({type(error).__name__}: {reason})"


def echo(message: object = "", **kwargs) -> None:
    """click.echo with control characters shown as escapes (newlines kept)."""
    from .escape import printable

    click.echo(printable(str(message), keep_newlines=True), **kwargs)


def _package_or_installed(path: Path) -> Path:
    """PATH itself, or, when the default "." holds no data package, the tables installed with the library (said on
    stderr, so that output stays clean for pipes)."""
    from .package import DESCRIPTOR, bundled_root

    if path == Path(".") and not (path / DESCRIPTOR).is_file():
        root = bundled_root()
        click.echo(f"no {DESCRIPTOR} here: using the tables installed with gsi-tracker ({root})", err=True)
        return root
    return path


def exit_2_on_package_error(command: F) -> F:
    """Turn a PackageError raised by the library into one message on stderr and exit code 2."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except PackageError as e:
            raise UnreadableInput(str(e)) from None

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gsi")
def cli() -> None:
    """Validate, release and load the gsi-tracker data package."""


@cli.command()
@click.argument("path", default=".", type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Default: docs/codebook.md under PATH (codebook.md here when the installed tables are used).",
)
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if the codebook is stale.")
@exit_2_on_package_error
def codebook(path: Path, out: Path | None, check: bool) -> None:
    """Write the codebook from the schemas, the descriptor and the data.

    Example: gsi codebook --check
    """
    from . import codebook as cb
    from .package import open_package

    root = _package_or_installed(path)
    try:
        with open_package(root) as package:
            default = Path("codebook.md") if root != path else package.root / "docs" / "codebook.md"
            target = out or default
            if check:
                stale = not target.exists() or target.read_text(encoding="utf-8") != cb.render(package)
                if stale:
                    echo(f"{target}: stale; run `gsi codebook` to regenerate it", err=True)
                    sys.exit(1)
                echo(f"{target}: up to date")
                return
            changed = cb.write(package, target)
    except PackageError as e:
        raise UnreadableInput(str(e)) from None
    echo(f"{target}: {'written' if changed else 'unchanged'}")


@cli.command()
@click.argument("path", default=".", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@exit_2_on_package_error
def stats(path: Path, fmt: str) -> None:
    """Print coverage: rows per table, per year, region and type, sourcing and delivery shares.

    Example: gsi stats --format json
    """
    import json

    from . import stats as st
    from .package import open_package

    path = _package_or_installed(path)
    try:
        with open_package(path) as package:
            figures = st.coverage(package)
    except PackageError as e:
        raise UnreadableInput(str(e)) from None
    except SHAPE_ERRORS as e:
        raise UnreadableInput(_not_the_shape(path, "stats", e)) from None
    if fmt == "json":
        echo(json.dumps(figures.to_dict(), indent=2))
    else:
        echo(st.render_markdown(figures) if fmt == "markdown" else st.render_text(figures))


@cli.command()
@click.argument("path", default=".", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=Path("report"), show_default=True)
@exit_2_on_package_error
def report(path: Path, out: Path) -> None:
    """Draw the visual report: report.html (self-contained) and a PNG per chart.

    Example: gsi report --out report/
    """
    from .package import open_package

    path = _package_or_installed(path)
    try:
        from . import report as rp

        with open_package(path) as package:
            written = rp.write_report(package, out)
    except ModuleNotFoundError as e:
        raise UnreadableInput(f"gsi report needs {e.name}: pip install 'gsi-tracker[report]'") from None
    except SHAPE_ERRORS as e:
        raise UnreadableInput(_not_the_shape(path, "report", e)) from None
    for p in written:
        echo(f"wrote {p}")


@cli.command()
@click.argument("version")
@click.option(
    "--dest",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write the release to DEST/gsi-tracker-VERSION/ instead of the cache.",
)
@exit_2_on_package_error
def download(version: str, dest: Path | None) -> None:
    """Download a published release, check every file's sha256 against the registry, and keep it.

    VERSION is a version such as 0.1.0, or "latest". The cache folder is GSI_TRACKER_CACHE if set.

    Example: gsi download latest --dest data/
    """
    from .download import fetch_release

    try:
        import tqdm  # noqa: F401

        progressbar = sys.stderr.isatty()
    except ImportError:
        progressbar = False
    try:
        folder = fetch_release(version, dest=dest, progressbar=progressbar)
    except PackageError as e:
        raise UnreadableInput(str(e)) from None
    echo(f"{folder}: checked against the registry")


@cli.command()
@click.argument("version", required=False)
@click.option(
    "--path",
    "path",
    type=click.Path(path_type=Path),
    default=None,
    help="A local release folder, release zip or datapackage.json instead of a version.",
)
@exit_2_on_package_error
def info(version: str | None, path: Path | None) -> None:
    """List the published releases and summarise the tables of the bundled package or of a release.

    Without VERSION or --path, the tables are those installed with the library (no network).

    Example: gsi info latest
    """
    from .download import describe_releases
    from .load import load, render_summary
    from .registry import read_registry

    if version is not None and path is not None:
        raise click.UsageError("give a VERSION or --path, not both")
    try:
        releases = describe_releases(read_registry())
        ds = load(version, path=path)
    except PackageError as e:
        raise UnreadableInput(str(e)) from None
    echo(f"{releases}\n{render_summary(ds)}")


@cli.command()
@click.argument("record_id")
@click.option(
    "--path",
    "path",
    type=click.Path(path_type=Path),
    default=None,
    help="A package folder, release folder, release zip or datapackage.json. Default: the installed tables.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@exit_2_on_package_error
def show(record_id: str, path: Path | None, fmt: str) -> None:
    """Print one record, the records it links to, and each citation with its source and quote.

    Example: gsi show cm-2024-train-3000-foreign-police
    """
    import json

    from .load import load
    from .questions import find, record_json, render_record

    ds = load(path=path)
    try:
        rec = find(ds, record_id)
    except KeyError as e:
        raise click.ClickException(str(e.args[0])) from None
    if fmt == "json":
        echo(json.dumps(record_json(rec), ensure_ascii=False, indent=2))
    else:
        echo(render_record(rec))


def _echo_refusal(err) -> None:
    """A refused build or release: its validation findings (if any) on stderr, then exit 1 or 2."""
    report = getattr(err, "report", None)
    if report is None:
        raise UnreadableInput(str(err))
    from .render import render

    click.echo(render(report, "text", click.style), err=True)
    echo(f"refused: {err}", err=True)
    sys.exit(1)


@cli.command()
@click.argument("path", default=".", type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="Folder that receives gsi-tracker-VERSION/ and gsi-tracker-VERSION.zip.",
)
@exit_2_on_package_error
def build(path: Path, out: Path) -> None:
    """Validate, then build the release of the version in datapackage.json (never overwrites one).

    Run again on the same commit, it finds the same bytes in place and exits 0; other bytes under the same version
    are refused (exit 1): bump the version.

    Dates come from SOURCE_DATE_EPOCH or the last commit, so two builds give the same bytes.

    Example: gsi build --out dist/
    """
    from .build import BuildError, ReleaseDiffers, build_release

    try:
        result = build_release(path, out)
    except ReleaseDiffers as e:
        echo(f"refused: {e}", err=True)
        sys.exit(1)
    except BuildError as e:
        _echo_refusal(e)
    except PackageError as e:
        raise UnreadableInput(str(e)) from None
    if result.unchanged:
        echo(f"{result.folder}: already built with the same bytes; nothing written")
    else:
        echo(f"{result.folder}: {len(result.files)} files, created {result.created}")
    echo(f"{result.zip}: sha256 {result.zip_sha256}")


@cli.command("release")
@click.argument("version")
@click.argument("path", default=".", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("dist"), show_default=True)
@click.option(
    "--previous",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="The last release (folder or zip) to compare against. Default: OUT/gsi-tracker-LAST[.zip].",
)
@exit_2_on_package_error
def release_command(version: str, path: Path, out: Path, previous: Path | None) -> None:
    """Cut VERSION: check it against the change since the last release, set it, build, record it in the registry.

    Refuses a version that is not MAJOR.MINOR.PATCH, exists, is not above the last release, or is a smaller bump
    than `gsi diff` says the change needs. Changes no file unless every step succeeds.

    Example: gsi release 0.2.0
    """
    from .build import BuildError
    from .release import release

    try:
        result = release(version, path, out, previous=previous)
    except BuildError as e:
        _echo_refusal(e)
    if result.previous:
        echo(
            f"{result.version}: a {result.bump} release after {result.previous} "
            f"(the change needs at least {result.needed})"
        )
    echo(f"{result.build.folder}\n{result.build.zip}: sha256 {result.build.zip_sha256}")
    echo("updated: " + ", ".join(str(p) for p in result.changed_files))
    echo(f"next: commit these files, tag v{result.version} and push the tag")


@cli.command("diff")
@click.argument("old", type=click.Path(exists=True, path_type=Path))
@click.argument("new", default=".", type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@exit_2_on_package_error
def diff_command(old: Path, new: Path, fmt: str) -> None:
    """Show what changed from OLD to NEW (release folders or zips; NEW defaults to the working seeds) and the
    version bump it needs: rows added, removed and changed by primary key, and schema changes.

    Example: gsi diff dist/gsi-tracker-0.1.0.zip --format markdown
    """
    from .diff import RENDERERS, diff_packages

    try:
        result = diff_packages(old, new)
    except PackageError as e:
        raise UnreadableInput(str(e)) from None
    except SHAPE_ERRORS as e:
        raise UnreadableInput(_not_the_shape(new, "diff", e)) from None
    echo(RENDERERS[fmt](result).rstrip("\n"))


@cli.command()
@click.argument("path", default=".", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text: grouped by file; json: stable keys; github: workflow commands that annotate the diff.",
)
@exit_2_on_package_error
def validate(path: Path, fmt: str) -> None:
    """Check the data package at PATH: structure, types, constraints, keys, cross-table rules and hygiene.

    PATH is the repository root (default), a datapackage.json, a release folder or a release zip. Exit code 0
    when valid (warnings allowed), 1 when there are errors, 2 when the input cannot be read.

    Example: gsi validate --format github
    """
    from .render import render
    from .validate import validate_package

    report = validate_package(_package_or_installed(path))
    style = click.style if fmt == "text" else None
    click.echo(render(report, fmt, style) if style else render(report, fmt), color=None)
    sys.exit(0 if report.valid else 1)


@cli.command("fmt")
@click.argument("path", default=".", type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Change nothing; list the files that would change and exit 1 if any.")
@exit_2_on_package_error
def fmt_command(path: Path, check: bool) -> None:
    """Rewrite the CSV files into canonical form: sorted by primary key, trimmed, NFC, minimal quoting, LF.

    Example: gsi fmt --check
    """
    from .fmt import format_package

    results = format_package(path, check=check)
    changed = [r for r in results if r.changed]
    for r in changed:
        echo(f"{r.relpath}: {'would be reformatted' if check else 'reformatted'}")
    if not changed:
        echo(f"{len(results)} files already canonical")
    sys.exit(1 if check and changed else 0)


def main() -> None:
    cli(prog_name="gsi")
