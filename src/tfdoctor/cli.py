"""The command line: parse arguments, call the API, render, set the exit code. Nothing else.

Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it; 2 usage error,
bad configuration or unreadable input.
"""

from __future__ import annotations

import contextlib
import enum
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from . import __version__
from .api import AuditResult, ScanResult, check_spec, scan
from .config import Config, load_config, parse_fail_on, split_ignores
from .findings import Severity
from .flows import Interrupted
from .io.compression import Compression
from .io.outputs import OutputError, check_output, write_output
from .report.json import jsonable
from .report.terminal import printable, render_scan
from .rules.registry import all_rules, get_rule
from .spec.load import parse_bindings
from .spec.model import SpecError
from .stats.schema import to_pbtxt

app = typer.Typer(
    name="tfdoctor",
    help="Finds out why a model trained from TFRecord files through tf.data does not learn.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command stopped by Ctrl-C


def _codes(values: list[str] | None) -> tuple[str, ...] | None:
    if not values:
        return None
    return tuple(c.strip().upper() for v in values for c in v.split(",") if c.strip())


class _ScanProgress:
    """A rich progress line with records/s and MB/s; silent for short scans."""

    def __init__(self, console: Console) -> None:
        self._files: dict[str, tuple[int, int]] = {}
        self._start = time.perf_counter()
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed} files done"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task = self._progress.add_task("scanning", total=None)  # the file count is not listed twice
        self._started = False
        self._expected: int | None = None  # bytes of all the files, where known: for the ETA

    def expect(self, total_bytes: int | None, files: int) -> None:
        """What the scan will read (called once it is listed): bytes for the ETA, files for the bar."""
        self._expected = total_bytes
        self._progress.update(self._task, total=files or None)

    def __call__(self, url: str, nbytes: int, records: int, done: bool) -> None:
        self._files[url] = (nbytes, records)
        if done:
            self._progress.advance(self._task)
        elapsed = time.perf_counter() - self._start
        if not self._started and elapsed > 1.0:
            self._progress.start()
            self._started = True
        total_bytes = sum(b for b, _ in self._files.values())
        total_records = sum(r for _, r in self._files.values())
        rate = f"{total_records / elapsed:,.0f} records/s, {total_bytes / elapsed / 1e6:,.1f} MB/s"
        left = ""
        if self._expected and 0 < total_bytes < self._expected:  # stream bytes: exact for uncompressed files
            seconds = (self._expected - total_bytes) / (total_bytes / elapsed)
            left = (
                f" · {total_bytes / 1e6:,.0f} of {self._expected / 1e6:,.0f} MB · about {seconds:,.0f} s left"
            )
        self._progress.update(self._task, description=f"{total_records:,} records · {rate}{left}")

    def stop(self) -> None:
        if self._started:
            self._progress.stop()


class Runner(str, enum.Enum):
    local = "local"
    beam = "beam"


RunnerOpt = Annotated[
    Runner,
    typer.Option(
        case_sensitive=False,
        help="Where the scan runs: local (this machine: a process, or a pool with --workers) or beam "
        "(an Apache Beam pipeline: DirectRunner unless --beam-option runner=... says otherwise; "
        'pip install "tfdoctor[beam]").',
    ),
]
BeamOptionOpt = Annotated[
    list[str] | None,
    typer.Option(
        help="KEY=VALUE: a Beam pipeline option for --runner beam, e.g. runner=DataflowRunner, "
        "project=my-project, region=us-central1, temp_location=gs://bucket/tmp. Repeat for several.",
    ),
]


def _run_scan(
    paths: list[str],
    *,
    config: Config,
    label: str | None,
    compression: Compression,
    workers: int | None,
    max_records: int | None,
    quiet_progress: bool,
    specs: list[str] | None = None,
    spec_args: list[str] | None = None,
    call_args: list[str] | None = None,
    runner: Runner = Runner.local,
    beam_options: list[str] | None = None,
    sample: str | None = None,
    max_inflation: float | None = None,
) -> ScanResult:
    from .engines.sample import SampleError, parse_sample

    try:
        sampled = parse_sample(sample) if sample is not None else None
    except SampleError as exc:
        err.print(Text(f"tfdoctor: {exc}", style="red"))
        raise typer.Exit(EXIT_USAGE) from None
    progress = None if quiet_progress else _ScanProgress(err)
    options = dict(
        label=label,
        compression=compression,
        config=config,
        workers=workers,
        max_records_per_file=max_records,
        progress=progress,
        sample=sampled,
        max_inflation=_inflation(max_inflation),
        engine=_engine(runner, beam_options),
    )
    try:
        if specs:
            bound = parse_bindings(spec_args or [], "--spec-arg")
            kwargs = parse_bindings(call_args or [], "--arg")
            return check_spec(paths, spec=specs, spec_args=bound, call_args=kwargs, **options)  # type: ignore[arg-type]
        return scan(paths, **options)  # type: ignore[arg-type]
    except Interrupted as stop:  # Ctrl-C: the report of the files finished so far, marked partial
        return stop.result
    except SpecError as exc:
        err.print(Text(f"tfdoctor: cannot read the spec: {exc}", style="red"))
        raise typer.Exit(EXIT_USAGE) from None
    finally:
        if progress is not None:
            progress.stop()


def _engine(runner: Runner, beam_options: list[str] | None) -> Any:
    """The engine --runner names (None: the local default); a Beam option without Beam, or a
    Beam that is not installed, is a usage error."""
    if runner is Runner.local:
        if beam_options:
            err.print(Text("tfdoctor: --beam-option needs --runner beam", style="red"))
            raise typer.Exit(EXIT_USAGE)
        return None
    from .engines.beam import BeamEngine, BeamMissing, beam_module

    flags: dict[str, str] = {}
    for pair in beam_options or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            err.print(Text(f"tfdoctor: --beam-option {printable(pair)}: use key=value", style="red"))
            raise typer.Exit(EXIT_USAGE)
        flags[key.strip().lstrip("-")] = value
    try:
        beam_module()
    except BeamMissing as exc:
        err.print(Text(f"tfdoctor: {exc}", style="red"))
        raise typer.Exit(EXIT_USAGE) from None
    return BeamEngine(flags)


def _inflation(ratio: float | None) -> float | None:
    """--max-inflation: None (not given) is the default budget, 0 none at all."""
    from .io.compression import DEFAULT_MAX_INFLATION

    if ratio is None:
        return DEFAULT_MAX_INFLATION
    if ratio < 0:
        err.print(Text("tfdoctor: --max-inflation: a ratio of at least 1, or 0 for none", style="red"))
        raise typer.Exit(EXIT_USAGE)
    return ratio or None


def _config(select: list[str] | None, ignore: list[str] | None, fail_on: str | None) -> Config:
    try:
        codes, per_feature = split_ignores(ignore or [])
        config = load_config().with_overrides(select=_codes(select), ignore=codes or None)
        if per_feature:  # added to per-feature-ignores; plain codes replace `ignore`
            config = replace(config, feature_ignores=config.feature_ignores + per_feature)
        if fail_on is not None:
            config = replace(config, fail_on=parse_fail_on(fail_on))
    except ValueError as exc:
        err.print(Text(f"tfdoctor: {exc}", style="red"))
        raise typer.Exit(EXIT_USAGE) from None
    return config


def _say_written(path: str | Path, replaced: bool) -> None:
    if replaced:
        err.print(Text(f"overwrote {printable(str(path))}", style="yellow"), soft_wrap=True)


class Format(str, enum.Enum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"


FormatOpt = Annotated[
    Format,
    typer.Option(
        "--format",
        case_sensitive=False,
        help="text (the terminal report), json (as --json), github (GitHub Actions annotations on the "
        "files and lines findings name) or sarif (SARIF 2.1.0, for code scanning).",
    ),
]


def _emit(result: ScanResult | AuditResult, fmt: Format) -> None:
    """The report on stdout in the format asked for."""
    if fmt is Format.text:
        if isinstance(result, AuditResult):
            from .report.terminal import render_audit

            render_audit(result, out)
        else:
            render_scan(result, out)
        return
    from .report.ci import github_annotations, sarif

    report = result.to_json()
    if fmt is Format.github:
        sys.stdout.write(github_annotations(report))
    else:
        # streamed: one string of the whole report would cost about 9 KB per feature more
        json.dump(sarif(report) if fmt is Format.sarif else report, sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")


def _format(as_json: bool, fmt: Format) -> Format:
    return Format.json if as_json else fmt


def _finish(
    result: ScanResult,
    fmt: Format,
    stats_out: str | None,
    schema_out: str | None,
    html: str | None = None,
) -> None:
    """Render, write the requested outputs, and exit with the code the findings call for.

    The report comes first, so an output that cannot be written (exit 2) does not lose it."""
    _emit(result, fmt)
    if result.partial:  # statistics of some files only would pass for the dataset's: not written
        if stats_out is not None or schema_out is not None:
            err.print(Text("tfdoctor: interrupted: --stats-out/--schema-out not written", style="yellow"))
        stats_out = schema_out = None  # the HTML report says it is partial: it is still written
    outputs = (
        (stats_out, result.write_statistics),
        (schema_out, result.write_schema),
        (html, result.write_html),
    )
    writes = [(path, write) for path, write in outputs if path is not None]
    try:
        for path, _ in writes:  # refuse before writing any: all or none
            check_output(path, result.input_files)
        for path, write in writes:
            _say_written(path, write(path))
    except OutputError as exc:
        err.print(Text(f"tfdoctor: {printable(str(exc))}", style="red"), soft_wrap=True)
        raise typer.Exit(EXIT_USAGE) from None
    if result.partial:
        raise typer.Exit(EXIT_INTERRUPTED)
    if result.unreadable:
        for where, why in result.unreadable:
            err.print(Text(f"tfdoctor: cannot read {printable(where)}: {printable(why)}", style="red"))
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(EXIT_FINDINGS if result.failed() else EXIT_CLEAN)


Paths = Annotated[
    list[str], typer.Argument(help="Files, directories, globs, name@N shard specs or fsspec URLs.")
]
LabelOpt = Annotated[str | None, typer.Option(help="The label feature (default: guessed from names).")]
CompressionOpt = Annotated[
    Compression,
    typer.Option(case_sensitive=False, help="Declared compression; auto detects it from the bytes."),
]
SelectOpt = Annotated[list[str] | None, typer.Option(help="Only these codes or prefixes (TFD1,TFD207).")]
IgnoreOpt = Annotated[
    list[str] | None,
    typer.Option(help="Skip these codes or prefixes; CODE:FEATURE suppresses one feature's findings."),
]
FailOnOpt = Annotated[str | None, typer.Option(help="error, warning, info or never (default: error).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the JSON report (docs/json-report.md) only.")]
# outputs are strings, not Paths: a Path would turn gs://bucket/x into gs:/bucket/x
StatsOutOpt = Annotated[str | None, typer.Option(help="Write TFMD DatasetFeatureStatisticsList (binary).")]
SchemaOutOpt = Annotated[str | None, typer.Option(help="Write the schema: .pbtxt (TFMD) or .json.")]
HtmlOpt = Annotated[
    str | None,
    typer.Option("--html", help="Write the report as one self-contained HTML page (no script, no network)."),
]
WorkersOpt = Annotated[
    int | None,
    typer.Option(
        help="Processes; default one per CPU for several files, or a file of 64 MiB or more (read in parts)."
    ),
]
MaxRecordsOpt = Annotated[int | None, typer.Option(help="Read at most this many records per file.")]
InflationOpt = Annotated[
    float | None,
    typer.Option(
        help="Stop a GZIP/ZLIB stream that inflates past this ratio once it is past 64 MiB (a "
        "decompression bomb), reported as TFD101. Default 1000 (DEFLATE tops out near 1032); 0: never stop.",
    ),
]
SampleOpt = Annotated[
    str | None,
    typer.Option(
        help="A fast first look: read a uniform sample of records across all files, 1%% or 100000 "
        "(records in all), in runs of 64 records at seeded random offsets. Every figure is then an "
        "estimate, and the report says from how many records. Compressed files are read whole.",
    ),
]


@app.command("scan")
def scan_command(
    paths: Paths,
    label: LabelOpt = None,
    compression: CompressionOpt = Compression.AUTO,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    fail_on: FailOnOpt = None,
    as_json: JsonOpt = False,
    output_format: FormatOpt = Format.text,
    stats_out: StatsOutOpt = None,
    html: HtmlOpt = None,
    schema_out: SchemaOutOpt = None,
    workers: WorkersOpt = None,
    max_records: MaxRecordsOpt = None,
    runner: RunnerOpt = Runner.local,
    beam_option: BeamOptionOpt = None,
    sample: SampleOpt = None,
    max_inflation: InflationOpt = None,
) -> None:
    """Read TFRecord files, compute statistics and a schema, report problems (TFD1xx, TFD2xx)."""
    config = _config(select, ignore, fail_on)
    fmt = _format(as_json, output_format)
    result = _run_scan(
        paths,
        config=config,
        label=label,
        compression=compression,
        workers=workers,
        max_records=max_records,
        quiet_progress=fmt is not Format.text,
        runner=runner,
        beam_options=beam_option,
        sample=sample,
        max_inflation=max_inflation,
    )
    _finish(result, fmt, stats_out, schema_out, html)


@app.command("check")
def check_command(
    paths: Paths,
    spec: Annotated[
        list[str],
        typer.Option(
            help="The parse spec: a .py file (read with ast, never run; every parse_example / "
            "parse_single_example / parse_sequence_example call in it is checked), module:ATTR or "
            "file.py:ATTR (imported: this runs that module; a function is called and the parse ops "
            "of the tf.data.Dataset it returns are checked), a TFMD schema.pbtxt, or a .json spec. "
            "Repeat for several.",
        ),
    ],
    spec_arg: Annotated[
        list[str] | None,
        typer.Option(
            help="NAME=VALUE: a value for a name a .py spec leaves open (a parameter without a default, "
            "a flag, self.NAME), e.g. seq_length=128. Repeat for several.",
        ),
    ] = None,
    arg: Annotated[
        list[str] | None,
        typer.Option(help="key=value: a keyword argument for a --spec file.py:function. Repeat for several."),
    ] = None,
    label: LabelOpt = None,
    compression: CompressionOpt = Compression.AUTO,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    fail_on: FailOnOpt = None,
    as_json: JsonOpt = False,
    output_format: FormatOpt = Format.text,
    workers: WorkersOpt = None,
    max_records: MaxRecordsOpt = None,
    runner: RunnerOpt = Runner.local,
    beam_option: BeamOptionOpt = None,
    html: HtmlOpt = None,
    sample: SampleOpt = None,
    max_inflation: InflationOpt = None,
) -> None:
    """Check a parse spec against the data: missing keys, dtypes, shapes, defaults (TFD2xx)."""
    config = _config(select, ignore, fail_on)
    fmt = _format(as_json, output_format)
    result = _run_scan(
        paths,
        config=config,
        label=label,
        compression=compression,
        workers=workers,
        max_records=max_records,
        quiet_progress=fmt is not Format.text,
        specs=spec,
        spec_args=spec_arg,
        call_args=arg,
        runner=runner,
        beam_options=beam_option,
        sample=sample,
        max_inflation=max_inflation,
    )
    _finish(result, fmt, None, None, html)


class SpecFormat(str, enum.Enum):
    python = "python"
    json = "json"
    pbtxt = "pbtxt"


@app.command("spec")
def spec_command(
    paths: Paths,
    output_format: Annotated[
        SpecFormat,
        typer.Option(
            "--format", case_sensitive=False, help="python: a parse function; json/pbtxt: the schema."
        ),
    ] = SpecFormat.python,
    output: Annotated[str | None, typer.Option("--out", "-o", help="Write here instead of stdout.")] = None,
    label: LabelOpt = None,
    compression: CompressionOpt = Compression.AUTO,
    workers: WorkersOpt = None,
    max_records: MaxRecordsOpt = None,
) -> None:
    """Write a parse spec that fits the data: a commented Python parse function, or the schema."""
    result = _run_scan(
        paths,
        config=Config(),
        label=label,
        compression=compression,
        workers=workers,
        max_records=max_records,
        quiet_progress=False,  # progress goes to stderr; the spec to stdout
    )
    if result.unreadable:
        for where, why in result.unreadable:
            err.print(Text(f"tfdoctor: cannot read {printable(where)}: {printable(why)}", style="red"))
        raise typer.Exit(EXIT_USAGE)
    if result.stats.records == 0:
        err.print(
            Text("tfdoctor: no Example or SequenceExample records: nothing to write a spec for", style="red")
        )
        raise typer.Exit(EXIT_USAGE)
    if output_format is SpecFormat.python:
        text = result.parse_function()
    elif output_format is SpecFormat.pbtxt:
        text = to_pbtxt(result.schema)
    else:
        text = json.dumps(jsonable(result.schema.to_json()), indent=2, allow_nan=False) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        try:
            replaced = write_output(output, text, result.input_files)
        except OutputError as exc:
            err.print(Text(f"tfdoctor: {printable(str(exc))}", style="red"), soft_wrap=True)
            raise typer.Exit(EXIT_USAGE) from None
        _say_written(output, replaced)
        err.print(Text(f"Wrote {printable(str(output))}", style="green"))
    problems = [f for f in result.findings if f.code.startswith("TFD1") and f.severity >= Severity.ERROR]
    if problems:
        err.print(Text(f"Note: {len(problems)} file problem(s); `tfdoctor scan` shows them.", style="yellow"))


@app.command("pipeline")
def pipeline_command(
    target: Annotated[
        str,
        typer.Argument(
            help="file.py:function or package.module:function returning a tf.data.Dataset. "
            "This IMPORTS the file and CALLS the function: it runs your code."
        ),
    ],
    arg: Annotated[
        list[str] | None, typer.Option("--arg", help="key=value keyword arguments for the function (repeat).")
    ] = None,
    batches: Annotated[int, typer.Option(help="Batches to pull and measure; 0: the structure only.")] = 20,
    seconds: Annotated[
        float,
        typer.Option(
            help="Time cap for your code: building the dataset, scanning its files and pulling batches "
            "(counted once TensorFlow is imported). Well past it the audit is stopped: TFD517."
        ),
    ] = 30.0,
    max_memory: Annotated[
        int | None,
        typer.Option(
            "--max-memory",
            help="Memory cap in MiB for the process that runs your code (resident memory, "
            "TensorFlow's included). Past it the audit is stopped: TFD517. "
            "Default: half of this machine's memory, at most 8 GiB.",
        ),
    ] = None,
    label: Annotated[
        str | None, typer.Option(help="The label in each element: a dict key, or [1] for (x, y) tuples.")
    ] = None,
    scan_records: Annotated[
        int, typer.Option(help="Records of the pipeline's files to scan (label order, counts, image sizes).")
    ] = 20_000,
    model: Annotated[
        str | None,
        typer.Option(
            help="The model the dataset feeds: a saved .keras/.h5 file, or file.py:function / "
            "package.module:function returning a keras.Model (called with no arguments). "
            "Judges the batches against its inputs, outputs and loss (TFD7xx)."
        ),
    ] = None,
    eval_target: Annotated[
        str | None,
        typer.Option(
            "--eval",
            help="The evaluation pipeline (file.py:function, run the same way, in a second child "
            "process): its batches are compared with this pipeline's (TFD210: another structure or "
            "element shape; TFD211: scaled to [0, 1] in one only).",
        ),
    ] = None,
    eval_arg: Annotated[
        list[str] | None,
        typer.Option("--eval-arg", help="key=value arguments for the --eval function (default: --arg's)."),
    ] = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    fail_on: FailOnOpt = None,
    as_json: JsonOpt = False,
    output_format: FormatOpt = Format.text,
    html: HtmlOpt = None,
) -> None:
    """Audit a tf.data pipeline: its graph, the files it reads, the batches it yields.

    Runs your function to build the dataset, reads its chain from the dataset graph (TFD4xx,
    TFD5xx, TFD9xx), checks the parse ops against the files (TFD2xx) and pulls a bounded
    number of batches (TFD3xx, TFD6xx). Your code runs in a child process that is watched:
    if it exits, crashes, hangs or fills memory, that is a finding (TFD517), not a hang."""
    from .pipeline.load import PipelineError, parse_args
    from .supervised import AuditRequest, audit_in_child

    config = _config(select, ignore, fail_on)
    fmt = _format(as_json, output_format)
    try:
        request = AuditRequest(
            target,
            parse_args(arg or []),
            batches=batches,
            seconds=seconds,
            label=label,
            scan_records=scan_records,
            config=config,
            model=model,
        )
        _check_target(target)
        status = err.status("auditing the pipeline", spinner="dots") if fmt is Format.text else None
        with status if status is not None else contextlib.nullcontext():
            result = audit_in_child(
                request,
                memory_limit=max_memory << 20 if max_memory is not None else None,
                on_phase=(lambda phase: status.update(f"auditing the pipeline: {printable(phase)}"))
                if status is not None
                else None,
            )
            if eval_target is not None:
                _compare_eval(result, request, eval_target, eval_arg, max_memory)
    except PipelineError as exc:
        err.print(Text(f"tfdoctor: cannot build the pipeline: {printable(str(exc))}", style="red"))
        raise typer.Exit(EXIT_USAGE) from None
    _emit(result, _format(as_json, output_format))
    if html is not None:
        module = target.rpartition(":")[0]
        _write_html(result, html, [Path(module)] if module.endswith(".py") else [])
    raise typer.Exit(EXIT_FINDINGS if result.failed() else EXIT_CLEAN)


def _compare_eval(
    result: AuditResult, request: Any, target: str, args: list[str] | None, max_memory: int | None
) -> None:
    """Audit the evaluation pipeline in a second child and add the findings of comparing its
    batches with the training pipeline's to `result` (TFD210, TFD211)."""
    from .compare import compare_batches
    from .pipeline.load import parse_args
    from .rules.registry import finding_order
    from .supervised import audit_in_child

    _check_target(target)
    kwargs = parse_args(args) if args else request.kwargs
    evaluated = audit_in_child(
        replace(request, target=target, kwargs=kwargs),
        memory_limit=max_memory << 20 if max_memory is not None else None,
    )
    if result.batches is None or evaluated.batches is None or not evaluated.batches.batches:
        why = evaluated.batches.error if evaluated.batches is not None else None
        note = f"the evaluation pipeline {target} yielded no batch" + (f" ({why})" if why else "")
        err.print(Text(f"tfdoctor: {printable(note)}: its batches are not compared", style="yellow"))
        return
    found, errors, suppressed = compare_batches(result, evaluated, request.config)
    result.findings = sorted(result.findings + found, key=finding_order)
    result.rule_errors += errors
    result.suppressed += suppressed


def _write_html(result: ScanResult | AuditResult, path: str, inputs: list[str | Path]) -> None:
    try:
        _say_written(path, result.write_html(path, inputs))
    except OutputError as exc:
        err.print(Text(f"tfdoctor: {printable(str(exc))}", style="red"), soft_wrap=True)
        raise typer.Exit(EXIT_USAGE) from None


@app.command("report")
def report_command(
    saved: Annotated[Path, typer.Argument(help="A JSON report saved from scan, check or pipeline --json.")],
    html: HtmlOpt = None,
) -> None:
    """Render a saved JSON report (scan, check or pipeline --json) as an HTML page."""
    from .report.html import render_html

    try:
        report = json.loads(saved.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        err.print(Text(f"tfdoctor: cannot read {printable(str(saved))}: {printable(str(exc))}", style="red"))
        raise typer.Exit(EXIT_USAGE) from None
    if not isinstance(report, dict) or report.get("tool") != "tfdoctor":
        err.print(Text(f"tfdoctor: {printable(str(saved))} is not a tfdoctor JSON report", style="red"))
        raise typer.Exit(EXIT_USAGE)
    if html is None:
        err.print(Text("tfdoctor: say where the HTML goes: --html report.html", style="red"))
        raise typer.Exit(EXIT_USAGE)
    try:
        page = render_html(report)
    except Exception as exc:  # a JSON file of another shape (edited, or from another tool version)
        err.print(
            Text(f"tfdoctor: cannot render {printable(str(saved))}: {printable(repr(exc))}", style="red")
        )
        raise typer.Exit(EXIT_USAGE) from None
    try:
        _say_written(html, write_output(html, page, [saved]))
    except OutputError as exc:
        err.print(Text(f"tfdoctor: {printable(str(exc))}", style="red"), soft_wrap=True)
        raise typer.Exit(EXIT_USAGE) from None
    err.print(Text(f"Wrote {printable(str(html))}", style="green"))


def _check_target(target: str) -> None:
    """The usage errors the parent can see without running anything: a malformed target or a
    file that is not there (the child finds the rest: a missing function, a wrong return)."""
    from .pipeline.load import PipelineError

    module, sep, function = target.rpartition(":")
    if not sep or not function or not module:
        raise PipelineError(f"{target!r}: use file.py:function or package.module:function")
    if module.endswith(".py") and not Path(module).is_file():
        raise PipelineError(f"{module}: no such file")


@app.command("compare")
def compare_command(
    train: Annotated[
        str,
        typer.Argument(
            help="The training data: a file, directory, glob or name@N as scan reads them, or a saved "
            "statistics file (.pb/.binpb from scan --stats-out or TFDV, .pbtxt)."
        ),
    ],
    evaluation: Annotated[
        str, typer.Argument(metavar="EVAL", help="The evaluation data, given the same ways.")
    ],
    label: LabelOpt = None,
    compression: CompressionOpt = Compression.AUTO,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    fail_on: FailOnOpt = None,
    as_json: JsonOpt = False,
    html: HtmlOpt = None,
    workers: WorkersOpt = None,
    max_records: MaxRecordsOpt = None,
) -> None:
    """Compare the training data with the evaluation data: features in one split only, kinds,
    shapes and image sizes that differ, drift per feature (TFDV's L-infinity and
    Jensen-Shannon measures), classes in one split only (TFD210-TFD212)."""
    from .api import compare
    from .compare import StatisticsError
    from .report.terminal import render_compare

    config = _config(select, ignore, fail_on)
    progress = None if as_json else _ScanProgress(err)
    try:
        result = compare(
            train,
            evaluation,
            label=label,
            compression=compression,
            config=config,
            workers=workers,
            max_records_per_file=max_records,
            progress=progress,
        )
    except StatisticsError as exc:
        err.print(Text(f"tfdoctor: cannot read the statistics: {printable(str(exc))}", style="red"))
        raise typer.Exit(EXIT_USAGE) from None
    except KeyboardInterrupt:
        err.print(Text("tfdoctor: interrupted", style="yellow"))
        raise typer.Exit(EXIT_INTERRUPTED) from None
    finally:
        if progress is not None:
            progress.stop()
    if as_json:
        sys.stdout.write(json.dumps(result.to_json(), indent=2, allow_nan=False) + "\n")
    else:
        render_compare(result, out)
    if html is not None:
        _write_html(result, html, result.input_files)  # type: ignore[arg-type]
    problems = [(w, why) for w, why in result.unreadable]
    for side, what in ((result.train, "training"), (result.eval, "evaluation")):
        if side.empty and not side.unreadable:
            problems.append((", ".join(side.given), f"no {what} records found"))
    if problems:
        for where, why in problems:
            err.print(Text(f"tfdoctor: cannot read {printable(where)}: {printable(why)}", style="red"))
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(EXIT_FINDINGS if result.failed() else EXIT_CLEAN)


@app.command("training")
def training_command(
    logdir: Annotated[
        Path,
        typer.Argument(
            help="A TensorBoard log directory (or one event file): the log_dir of Keras' TensorBoard."
        ),
    ],
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    fail_on: FailOnOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Diagnose the training curves in a TensorBoard log: flat loss, NaN loss, validation
    stuck while training improves, accuracy at a fixed rate (TFD8xx). No TensorFlow needed."""
    from .training.flow import training_log
    from .training.render import render_training

    config = _config(select, ignore, fail_on)
    if not logdir.exists():
        err.print(Text(f"tfdoctor: no such file or directory: {printable(str(logdir))}", style="red"))
        raise typer.Exit(EXIT_USAGE)
    result = training_log(logdir, config=config)
    if not result.experiments:
        why = "no TensorBoard event files" if not result.event_files else "no training curves"
        err.print(Text(f"tfdoctor: {why} under {printable(str(logdir))}", style="red"))
        for problem in result.problems:
            err.print(Text(f"tfdoctor: {printable(problem)}", style="red"))
        raise typer.Exit(EXIT_USAGE)
    if as_json:
        sys.stdout.write(json.dumps(result.to_json(), indent=2, allow_nan=False) + "\n")
    else:
        render_training(result, out)
    raise typer.Exit(EXIT_FINDINGS if result.failed() else EXIT_CLEAN)


@app.command("rules")
def rules_command(
    code: Annotated[str | None, typer.Argument(help="A rule code, e.g. TFD101.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable rule list.")] = False,
) -> None:
    """List the rules, or explain one."""
    if code is None:
        rules = all_rules()
        if as_json:
            data = [
                {"code": r.code, "name": r.name, "severity": r.severity.label, "summary": r.summary}
                for r in rules
            ]
            sys.stdout.write(json.dumps(data, indent=2, allow_nan=False) + "\n")
            return
        table = Table(title="tfdoctor rules", title_justify="left")
        for col in ("code", "name", "severity", "summary"):
            table.add_column(col)
        for r in rules:
            table.add_row(r.code, r.name, r.severity.label, r.summary)
        out.print(table)
        return
    found = get_rule(code)
    if found is None:
        err.print(Text(f"tfdoctor: no rule {code!r}; `tfdoctor rules` lists them.", style="red"))
        raise typer.Exit(EXIT_USAGE)
    out.print(Markdown(rule_markdown(found)))


def rule_markdown(r: object) -> str:
    from .rules.registry import Rule

    assert isinstance(r, Rule)
    parts = [f"# {r.code} {r.name} ({r.severity.label})", r.summary]
    for heading, body in r.sections().items():
        parts.append(f"## {heading}\n{body}")
    return "\n\n".join(parts)


@app.command("demo")
def demo_command(
    folder: Annotated[
        Path | None, typer.Option("--dir", help="Write the demo data here (default: a temp dir).")
    ] = None,
) -> None:
    """Write demo data with planted faults, a buggy spec and pipeline; check them all."""
    from .demo import write_demo, write_demo_pipeline, write_demo_script, write_demo_timeseries

    target = folder or Path(tempfile.mkdtemp(prefix="tfdoctor-demo-"))
    paths = write_demo(target / "data")
    script = write_demo_script(target / "train.py")
    out.print(
        Text(
            f"Demo data: {len(paths)} shards in {target / 'data'} (a corrupt record, a label-sorted "
            "shard, NaN values, a constant and an empty feature), and a training script "
            f"{script} whose parse spec does not fit them.\n",
            style="bold",
        )
    )
    out.print(Text(f"$ tfdoctor check {target / 'data'} --spec {script}\n", style="dim"))
    result = _run_scan(
        [str(target / "data")],
        config=Config(),
        label=None,
        compression=Compression.AUTO,
        workers=1,
        max_records=None,
        quiet_progress=False,
        specs=[str(script)],
    )
    render_scan(result, out)
    out.print(Text(f"\nA spec that fits the data: tfdoctor spec {target / 'data'}", style="dim"))
    pipeline = write_demo_pipeline(target / "pipeline.py")
    command = f"tfdoctor pipeline {pipeline}:make_dataset --arg data_dir={target / 'data'}"
    try:
        import tensorflow  # noqa: F401
    except ImportError:
        out.print(
            Text(f"\nInstall TensorFlow to audit the demo's input pipeline too: {command}", style="dim")
        )
        return
    from .api import audit
    from .pipeline.load import build
    from .report.terminal import render_audit

    out.print(Text(f"\n$ {command}\n", style="dim"))
    with err.status("auditing the pipeline", spinner="dots"):
        audited = audit(build(f"{pipeline}:make_dataset", {"data_dir": str(target / "data")}), batches=5)
    render_audit(audited, out)
    series, script = write_demo_timeseries(target / "timeseries")
    out.print(Text(f"\n$ tfdoctor pipeline {script}:make_dataset --arg path={series}\n", style="dim"))
    with err.status("auditing the time-series pipeline", spinner="dots"):
        audited = audit(build(f"{script}:make_dataset", {"path": str(series)}), batches=3)
    render_audit(audited, out)
    _demo_training(build(f"{pipeline}:make_dataset", {"data_dir": str(target / "data")}), target / "logs")


def _demo_training(dataset: object, logs: Path) -> None:
    """The demo's last act: a tiny model trained on the buggy pipeline with the callback, and
    the TensorBoard log it leaves read back as `tfdoctor training` reads it."""
    from .demo import train_demo_model
    from .report.terminal import render_findings
    from .training.flow import training_log
    from .training.render import render_training

    fit = "model.fit(make_dataset(...), callbacks=[DoctorCallback(...), TensorBoard(logs)])"
    out.print(Text(f"\n$ {fit}", style="dim"))
    with err.status("training a tiny model on the demo pipeline", spinner="dots"):
        doctor = train_demo_model(dataset, logs)
    render_findings(doctor.findings, out)
    out.print(Text(f"\n$ tfdoctor training {logs}\n", style="dim"))
    render_training(training_log(logs), out)


def _version(value: bool) -> None:
    if value:
        from . import native

        out.print(f"tfdoctor {__version__}")
        out.print(native.describe())
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True)] = False,
) -> None:
    """tfdoctor: why does my model not learn from these TFRecords?"""


def main() -> None:
    app()
