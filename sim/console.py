"""Terminal output shared by every gridsim command: consoles, refusals, progress, numbers."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress


class LazyConsole:
    """A rich Console made on first use.

    Importing rich costs a third of ``import numpy``, and ``gridsim --help`` or a one-line
    refusal never needs it (``fail`` writes plain text).
    """

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    @property
    def rich(self) -> Console:
        """Make the console now (rich is imported here), or return the one made before."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def print(self, *objects: Any, **options: Any) -> None:
        """Print as rich's ``Console.print`` does."""
        self.rich.print(*objects, **options)


out_console = LazyConsole(width=None if sys.stdout.isatty() else 140)
err_console = LazyConsole(stderr=True)


def refusal(message: str, lang: str = "en") -> str:
    """Give the line every refusal writes on stderr (the command then exits 2), headed in ``lang``."""
    return f"{'错误：' if lang == 'zh' else 'error: '}{message}\n"


def fail(message: str, lang: str = "en") -> NoReturn:
    """One line on stderr, exit 2; ``lang`` heads it (the scenario's language, once one is known)."""
    import typer  # loaded already: fail runs inside a command; sim.__main__ refuses without it

    sys.stderr.write(refusal(message, lang))
    raise typer.Exit(2)


# The terminal's own words (titles, column heads, closing lines) in Chinese and English, looked
# up by say(); the domain's words (measures, roles, warning sentences) come from sim.labels.
TEXT: dict[str, tuple[str, str]] = {
    "measure": ("指标", "measure"),
    "value": ("数值", "value"),
    "run.title": ("{name}：{days:g}天，随机种子 {seed}", "{name}: {days:g} days, seed {seed}"),
    "run.progress": ("{name}，随机种子 {seed}（天）", "{name} seed {seed} (days)"),
    "run.progress_reps": ("{name}：重复", "{name}: replications"),
    "compare.progress": ("A 与 B 的重复", "A and B replications"),
    "run.title_reps": ("{name}：{days:g}天 × {reps}次重复（平均值与95%置信区间）",
                       "{name}: {days:g} days × {reps} replications (mean, 95% CI)"),
    "roles.title": ("各岗位人员（工作量 = 忙碌时间 ÷ 在岗时间；日常工作 = 巡查、入户走访、信息录入、联络、督查、会议）",
                    "staff by role (workload = busy ÷ on-duty; routine = patrol, visits, entry, liaison, "
                    "supervision, meetings)"),
    "roles.role": ("岗位", "role"),
    "roles.headcount": ("人数", "headcount"),
    "roles.fte": ("折合全职", "FTE"),
    "roles.workload_mean": ("平均工作量", "workload mean"),
    "roles.max": ("最大", "max"),
    "roles.routine": ("日常工作", "routine"),
    "roles.case": ("案件", "case"),
    "roles.overtime": ("月加班小时（全部）", "overtime h/month (all)"),
    "roles.gini": ("基尼系数", "Gini"),
    "cost.left_out": ("注：年人员成本合计不含{roles}共{n}人（情景未给出其薪酬），人数和折合全职合计包含他们",
                      "Note: the staff cost total leaves out {roles} ({n} people: the scenario gives no salary for "
                      "them); the headcount and FTE totals include them"),
    "cost.role_sep": ("、", ", "),
    "written": ("结果已写入 {out}/", "results written to {out}/"),
    "replaced": ("已替换 {out}/ 中先前的结果（{files}）", "replaced the earlier results in {out}/ ({files})"),
    "warning": ("警告：{text}", "warning: {text}"),
    "warning.runs": ("（{n}次重复）", " ({n} replication(s))"),
    "compare.title": ("{a}（A）与 {b}（B）：{days:g}天 × {reps}次配对重复",
                      "{a} (A) vs {b} (B): {days:g} days × {reps} paired replications"),
    "compare.caption": ("平均值 ± 95%置信区间的半宽；在取值范围处截断的区间写作 [下限, 上限]",
                        "mean ± half-width of its 95% CI; [low, high] where cut at the measure's range"),
    "compare.same": ("A与B相同（在所示位数内）的{n}个指标未列出", "{n} measures that read the same in A and B left out"),
    "compare.warning_both": ("A和B：", "A and B: "),
    "compare.warning_a": ("A：", "A: "),
    "compare.warning_b": ("B：", "B: "),
    "compare.more": ("，另有{n}个用 --all 显示", ", {n} more with --all"),
    "compare.written": ("表格和图已写入 {out}/（用 gridsim report {out} 生成报告）",
                        "table and figures written to {out}/ (gridsim report {out} for a document)"),
    "progress.line": ("{what}：{count}（{pct:.0f}%），已用 {elapsed}，约剩 {left}，之后写出结果",
                      "{what}: {count} ({pct:.0f}%), {elapsed} so far, ≈ {left} left, then writing the outputs"),
    "progress.writing": ("{what}：{count}，用时 {elapsed}；正在写出结果", "{what}: {count} in {elapsed}; writing the outputs"),
    "progress.writing_bar": ("{what}：正在写出结果", "{what}: writing the outputs"),
    "progress.days": ("已仿真 {done}/{total} 天", "{done} of {total} days simulated"),
    "progress.runs": ("已完成 {done}/{total} 次运行", "{done} of {total} runs done"),
    "theory": ("理论值", "theory"),
    "simulated_ci": ("仿真（平均值与95%置信区间）", "simulated (mean, 95% CI)"),
    "analytic.squads": ("执法中队的超立方体排队模型（{how}）：{crews}个车组，{grids}个网格，平均忙碌时间 {busy:.1f} 分钟",
                        "Squads as a hypercube ({how}): {crews} crews, {grids} grids, mean busy time {busy:.1f} min"),
    "analytic.exact": ("精确解", "exact"),
    "analytic.approx": ("Larson 1975 近似", "Larson 1975 approximation"),
    "analytic.hall": ("服务大厅的 Erlang C 模型（每组窗口一个 M/M/c 队列，按开放时间计）",
                      "Service hall as Erlang C (M/M/c per pool of windows, during opening hours)"),
    "analytic.pool": ("窗口组", "pool"),
    "analytic.windows": ("窗口数", "windows"),
    "analytic.utilisation": ("利用率", "utilisation"),
    "analytic.p_wait": ("需等候的概率", "P(wait)"),
    "analytic.mean_wait": ("平均等候（分钟）", "mean wait (min)"),
    "analytic.p_wait_15": ("等候超过15分钟的概率", "P(wait > 15 min)"),
    "analytic.overloaded": ("超负荷", "overloaded"),
    "analytic.hall_simulated": ("仿真的大厅平均等候（分钟）：{value}", "simulated mean wait (min): {value}"),
    "analytic.broken": ("不满足的假设：{text}", "assumption broken: {text}"),
    "analytic.checking": ("验证用的仿真重复", "checking replications"),
    "validate.title": ("教科书算例验证：每个算例{reps}次重复，{level:g}%置信区间",
                       "Textbook validation: {reps} replications per case, {level:g}% CI"),
    "validate.case": ("算例", "case"),
    "validate.mean": ("仿真平均值", "simulated mean"),
    "validate.ci": ("{level:g}%置信区间", "{level:g}% CI"),
    "validate.result": ("结果", "result"),
    "validate.pass": ("通过", "pass"),
    "validate.fail": ("未通过", "FAIL"),
    "validate.summary": ("{passed}项通过，{failed}项未通过", "{passed} passed, {failed} failed"),
    "validate.progress": ("教科书算例的重复", "textbook replications"),
    "plan.locating": ("选址", "locating"),
    "plan.dividing": ("划分各村", "dividing villages"),
    "plan.bases_title": ("执法中队方案（超立方体模型预测；路程时限 {budget:g} 分钟，每天 {calls:,.0f} 次派中队）",
                         "Squad plans (hypercube predictions; travel budget {budget:g} min, {calls:,.0f} squad calls a day)"),
    "plan.predicted": ("预测：按情景需求的 Larson 超立方体模型；仿真：完整模型",
                       "predicted: Larson's hypercube on the scenario's demand; simulated: the full model"),
    "plan.col_plan": ("方案（● 非劣）", "plan (● non-dominated)"),
    "plan.bases_written": ("方案、情景、地图和帕累托图已写入 {out}/",
                           "proposals, scenarios, maps and Pareto figure written to {out}/"),
    "plan.grids_title": ("{name} 的网格划分：每格 {low:g}–{high:g} 户", "Grid division of {name}: households per grid {low:g}–{high:g}"),
    "plan.grids_written": ("grids.gpkg、town.gpkg、scenarios/grids.toml、objectives.csv 和 grids.png 已写入 {out}/",
                           "grids.gpkg, town.gpkg, scenarios/grids.toml, objectives.csv and grids.png written to {out}/"),
    "plan.verify_title": ("仿真验证：{reps}次配对重复，每次{days:g}天（A = 今天的方案，B = {b}；平均值 ± 95%置信区间的半宽，"
                          "截断处为 平均值 [下限, 上限]）",
                          "Verification: {reps} paired replications of {days:g} days (A = today, B = {b}; "
                          "mean ± half-width of its 95% CI, mean [low, high] where it is cut at the measure's range)"),
    "plan.b_proposal": ("新方案", "proposal"),
    "plan.b_grids": ("新的网格划分", "the proposed grids"),
    "plan.today": ("今天的方案", "today's plan"),
    "plan.today_division": ("今天的网格划分", "today's division"),
    "plan.verifying": ("仿真验证：{plans}个方案（今天的方案和{proposals}个新方案）× {reps}次重复，每次{days:g}天 = "
                       "{runs}次运行，{workers}个进程",
                       "verifying by simulation: {plans} plans (today's and {proposals} proposed) × {reps} replications "
                       "of {days:g} days = {runs} runs on {workers} worker(s)"),
    # typer's usage errors, worded as the commands' own refusals (sim.cli.usage_error)
    "usage.missing_argument": ("缺少参数 {name}", "missing argument {name}"),
    "usage.missing_option": ("缺少选项 {name}", "missing option {name}"),
    "usage.no_option": ("没有 {option} 这个选项", "no such option {option}"),
    "usage.did_you_mean": ("（是否想用 {options}？）", " (did you mean {options}?)"),
    "usage.needs_value": ("{option}：需要给出一个值", "{option}: needs a value"),
    "usage.no_command": ("没有 {name} 这个命令（gridsim --help 列出所有命令）",
                         "no such command {name} (gridsim --help lists them)"),
    # a run no longer than its warm-up (sim.console.too_short)
    "too_short.one": ("{option}：{days:g}天不长于{after}，预热之后没有可统计的时间",
                      "{option}: {days:g} day leaves nothing after {after}"),
    "too_short.many": ("{option}：{days:g}天不长于{after}，预热之后没有可统计的时间",
                       "{option}: {days:g} days leave nothing after {after}"),
    "warmup.scenario": ("情景的预热期 run.warmup_days（{warmup:g}天）", "the scenario's run.warmup_days ({warmup:g})"),
    "warmup.scenarios": ("两个情景中较长的预热期 run.warmup_days（{warmup:g}天）",
                         "the scenarios' run.warmup_days ({warmup:g})"),
    "warmup.textbook": ("教科书算例的预热期 run.warmup_days（{warmup:g}天）",
                        "the textbook cases' run.warmup_days ({warmup:g})"),
    "warmup.field": ("预热期 run.warmup_days（{warmup:g}天）", "run.warmup_days ({warmup:g})"),
    "plan.verifying_bar": ("仿真验证 {name}", "verifying {name}"),
    "plan.verifying_runs": ("仿真验证 {name}：第 {first}–{last} 次运行，共 {total} 次",
                            "verifying {name}: runs {first}–{last} of {total}"),
}


def say(key: str, lang: str, **values: object) -> str:
    """Give the terminal's own text ``key`` in ``lang`` (zh or en), filled with ``values``."""
    from sim.labels import page_text  # here: --help and a refusal need no label table

    return page_text(TEXT, key, lang, **values)


def lang_option(default: str = "the scenario's meta.language") -> Any:
    """Make the ``--lang`` option every command that prints a table takes (typer is loaded by then)."""
    import typer

    return typer.Option("--lang", callback=check_lang, help=(
        f"zh or en: the language of the tables and warnings (default: {default})"))


def language(lang: str | None, default: str) -> Literal["zh", "en"]:
    """Give the language a command prints in: ``--lang`` when given, else the scenario's ``meta.language``."""
    return "zh" if (lang or default) == "zh" else "en"


def check_lang(value: str | None) -> str | None:
    """Check a ``--lang`` option: zh or en; None leaves the choice to the scenario (typer callback)."""
    import typer

    if value is not None and value not in ("zh", "en"):
        raise typer.BadParameter(f"must be zh or en, got {value!r}")
    return value


def warn(entries: list[dict[str, Any]], prefix: str = "", lang: str = "en") -> None:
    """Each warning entry as one line on stderr, in ``lang`` (the outputs keep the codes)."""
    from sim.warnings import text

    for w in entries:
        runs = say("warning.runs", lang, n=w["replications"]) if "replications" in w else ""
        err_console.print(say("warning", lang, text=f"{prefix}{text(w, lang)}{runs}"),
                          markup=False, highlight=False, soft_wrap=True)


class Stopped(BaseException):
    """The user stopped the command (Ctrl-C, SIGTERM, SIGHUP); raised in the main thread.

    A BaseException, like KeyboardInterrupt, so that no ``except Exception`` swallows it.
    Code that cleans up adds a note (``exc.add_note``) saying what it kept.
    """

    def __init__(self, how: str, exit_code: int) -> None:
        super().__init__(how, exit_code)  # both in args: SimPy re-raises type(exc)(*exc.args)
        self.how = how
        self.exit_code = exit_code


def _stop(signum: int, frame: object) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # a second Ctrl-C must not cut the clean-up
        signal.signal(sig, signal.SIG_IGN)                      # short (a traceback from deep inside it)
    if signum == signal.SIGINT:
        raise Stopped("Ctrl-C", 130)
    raise Stopped(signal.Signals(signum).name, 128 + signum)


def catch_stop_signals() -> None:
    """Turn Ctrl-C, SIGTERM and SIGHUP into :class:`Stopped`, so every exit cleans up."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _stop)


def stopped_message(exc: Stopped) -> str:
    """One line: that the command stopped, and what it kept."""
    chain: list[BaseException] = []
    e: BaseException | None = exc
    while e is not None and e not in chain:  # SimPy re-raises a copy with the original as cause
        chain.append(e)
        e = e.__cause__
    notes = "; ".join(dict.fromkeys(n for e in chain for n in getattr(e, "__notes__", []))) or "nothing was written"
    return f"stopped ({exc.how}): {notes}"


def check_days(value: float | None) -> float | None:
    """Check an option's number of days: positive, finite and at most MAX_DAYS (typer callback)."""
    import typer

    from sim.limits import MAX_DAYS

    if value is not None and not 0 < value <= MAX_DAYS:  # NaN fails both comparisons
        raise typer.BadParameter(f"must be a number of days in (0, {MAX_DAYS:g}], got {value:g}")
    return value


def too_short(days: float, warmup: float, whose: str, lang: str, option: str = "--days") -> str:
    """Give the refusal of a run no longer than its warm-up: ``--days: 1 day leaves nothing after …``.

    ``whose`` warm-up it is: ``scenario``, ``scenarios`` (the longer of two), ``textbook`` or
    ``field`` (the design point's own, named by its field alone).
    """
    after = say(f"warmup.{whose}", lang, warmup=warmup)
    return say("too_short.one" if days == 1 else "too_short.many", lang, option=option, days=days, after=after)


def progress_bar(enabled: bool) -> Progress:
    """Show runs done, a bar and time left on stderr, and only when someone is watching a terminal."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    return Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                    MofNCompleteColumn(), TimeRemainingColumn(), console=err_console.rich,
                    transient=True, disable=not enabled)


# A command still running after this long says where it is, a line at a time, when stderr is
# not a terminal (a log, a pipe, a job scheduler); a terminal gets progress_bar's bar instead.
PROGRESS_EVERY_S = 15.0


def _duration(seconds: float, lang: str) -> str:
    minutes = seconds / 60
    if minutes < 1.5:
        return f"{seconds:.0f}秒" if lang == "zh" else f"{seconds:.0f} s"
    return f"{minutes:.0f}分钟" if lang == "zh" else f"{minutes:.0f} min"


class RunProgress:
    """Progress of a long command on stderr: a bar on a terminal, else a line every PROGRESS_EVERY_S.

    The bar is progress_bar's (runs done, time left); without a terminal nobody sees a bar,
    so a run that has gone on for PROGRESS_EVERY_S says how far it is and how long is left,
    and again each PROGRESS_EVERY_S; a short run prints nothing. ``update`` and ``advance``
    are cheap enough to call every clock tick.
    """

    def __init__(self, description: str, total: float, unit: str, lang: str,
                 every: float = PROGRESS_EVERY_S, clock: Any = None) -> None:
        import time

        self.description, self.total, self.unit, self.lang, self.every = description, total, unit, lang, every
        self.clock = clock or time.monotonic
        self.tty = sys.stderr.isatty()
        self.bar = progress_bar(self.tty)
        self.task = self.bar.add_task(description, total=total)
        self.done = 0.0
        self.start = self.last = self.clock()

    def __enter__(self) -> RunProgress:
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(None, None, None)

    def update(self, done: float) -> None:
        """Say ``done`` of the total are done (days simulated, runs finished).

        The time left is the simulation's; the outputs are written after it (Parquet, maps,
        figures: up to as long again for one run), so the line says "then writing the outputs"
        and, once the total is done, that they are being written.
        """
        finished = self.done < self.total <= done
        self.done = float(done)
        if self.tty:
            self.bar.update(self.task, completed=done)
            if finished:
                self.bar.update(self.task, description=say("progress.writing_bar", self.lang, what=self.description))
            return
        now = self.clock()
        elapsed = now - self.start
        count = say(f"progress.{self.unit}", self.lang, done=f"{done:.1f}".removesuffix(".0"),
                    total=f"{self.total:g}")
        if finished and elapsed >= self.every:  # a run long enough to have said where it was
            err_console.print(say("progress.writing", self.lang, what=self.description, count=count,
                                  elapsed=_duration(elapsed, self.lang)), markup=False, highlight=False, soft_wrap=True)
        if now - self.last < self.every or not 0 < done < self.total:
            return
        self.last = now
        err_console.print(say("progress.line", self.lang, what=self.description, count=count, pct=100 * done / self.total,
                              elapsed=_duration(elapsed, self.lang),
                              left=_duration(elapsed * (self.total - done) / done, self.lang)),
                          markup=False, highlight=False, soft_wrap=True)

    def advance(self) -> None:
        """Count one more done."""
        self.update(self.done + 1)


def fmt(v: Any, pct: bool | str = False) -> str:
    """Format a number for a table: a share as %, a Gini to 3 places, a mean with its CI in brackets.

    ``pct``: True for a share, ``"gini"`` for a Gini, ``"money"`` for yuan (whole, thousands separated), ``"fte"`` for full-time equivalents (one place).
    """
    if isinstance(v, dict) and "mean" in v:
        m, (lo, hi) = v["mean"], v["ci95"]
        if m is None:
            return "–"
        if lo is None:
            return fmt(m, pct)
        return f"{fmt(m, pct)}  [{fmt(lo, pct)}, {fmt(hi, pct)}]"
    if v is None or (isinstance(v, float) and v != v):
        return "–"
    if pct == "fte":
        return f"{v:,.1f}"  # a share of full-time people: 69.0 beside 41.4 in one column
    if pct is False and isinstance(v, float) and abs(v) < 10:
        return f"{v:.3f}"
    if pct == "gini":
        return f"{v:.3f}"
    if pct == "money":
        return f"{v:,.0f}"
    if pct:
        return f"{100 * v:.1f}%"
    if isinstance(v, float) and not v.is_integer():
        return f"{v:,.1f}"
    return f"{v:,.0f}"  # a count is whole: 97 incidents, 42,721,200 yuan (not 97.0)


@contextmanager
def output_file(path: Path, option: str = "--out") -> Iterator[Path]:
    """Write one output file whole or not at all.

    The block writes a temporary file beside it (same suffix), renamed into place at the end
    and removed on any error or stop. A path under a file, in a missing or unwritable folder,
    or that is a folder is one line.
    """
    if path.is_dir():
        fail(f"{option} {path}: is a folder; give a file name")
    for above in (path.parent, *path.parent.parents):
        if above.exists():
            if not above.is_dir():
                fail(f"{option} {path}: {above} is a file, not a folder")
            break
    from sim.outputs import PARTIAL_PREFIX, missing_folders, remove_if_empty

    tmp = path.with_name(f"{PARTIAL_PREFIX}{os.getpid()}-{path.name}")
    created = missing_folders(path.parent)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.touch()  # can we write here at all? (a folder under a file, /proc, read-only)
        tmp.unlink()
    except OSError as exc:
        remove_if_empty(created)
        fail(f"{option} {path}: cannot write there ({exc.strerror or exc})")
    done = False
    try:
        yield tmp
        os.replace(tmp, path)
        done = True
    except OSError as exc:
        fail(f"{option} {path}: could not write it ({exc.strerror or exc}); nothing was written")
    finally:
        tmp.unlink(missing_ok=True)
        if not done:
            remove_if_empty(created)  # nothing written: no new empty folders either


@contextmanager
def output_folder(out: Path, command: str, force: bool, lang: str = "en") -> Iterator[Path]:
    """Stage an output folder (sim.outputs), turning refusals and disk errors into one line.

    ``lang``: the language of the line saying which earlier results it replaced.
    """
    from sim.outputs import OutputError, staged_output

    try:
        with staged_output(out, command, force) as staged:
            yield staged.path
    except OutputError as exc:
        fail(str(exc))
    except OSError as exc:  # e.g. the disk filled up while writing
        fail(f"--out {out}: could not write the results ({exc.strerror or exc}); nothing was written")
    if staged.replaced:
        shown = ", ".join(staged.replaced[:12]) + (", …" if len(staged.replaced) > 12 else "")
        err_console.print(say("replaced", lang, out=out, files=shown), markup=False, highlight=False, soft_wrap=True)
