"""Rich renderings of treatment plans (presentation only: no clinical logic here)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table
from rich.text import Text

from oncoboard.cli._console import out

if TYPE_CHECKING:
    from oncoboard.model import Evidence
    from oncoboard.planning import PlannedAgent, TreatmentOption, TreatmentPlan
    from oncoboard.prognosis.case import PrognosisResult

__all__ = ["print_cohort", "print_plan"]

_BENEFIT_CHARS = 60
_TABLE_ALTERNATIVES = 2
_WIDE = 96
_GRADES = (
    "grade A: FDA-approved in this setting on a randomised phase 3 trial; "
    "B: FDA-approved on single-arm or accelerated-approval data; "
    "C: positive randomised trial or guideline-endorsed, not FDA-approved in this setting; "
    "D: phase 2, negative or conflicting trials, or expert consensus only"
)


def _her2(plan: TreatmentPlan) -> str:
    subtype = plan.subtype or "subtype unknown"
    return f"{subtype} (HER2 {plan.her2.replace('_', ' ')})"


def _shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary before ``limit`` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:(")
    return f"{cut}…"


def _agent_cell(agent: PlannedAgent, limit: int | None) -> str:
    alternatives = list(agent.alternatives)
    if not alternatives:
        return agent.agent
    shown = alternatives if limit is None else alternatives[:limit]
    more = len(alternatives) - len(shown)
    return f"{agent.agent} (or {', '.join(shown)}{f', +{more}' if more else ''})"


def _agents(option: TreatmentOption, limit: int | None) -> str:
    if not option.agents:
        return option.procedure or "—"
    return " + ".join(_agent_cell(a, limit) for a in option.agents)


def _short_id(evidence_id: str) -> str:
    """Knowledge-base citations shortened to their entry for the table (full in the detail)."""
    if evidence_id.startswith("Oncoboard ") and "#" in evidence_id:
        return "KB#" + evidence_id.rsplit("#", 1)[1]
    return evidence_id


def _evidence_ids(evidence: Sequence[Evidence], first: int = 3) -> str:
    unique = list(dict.fromkeys(_short_id(e.id) for e in evidence))
    ids = unique[:first]
    more = len(unique) - len(ids)
    return "; ".join(ids) + (f"; +{more}" if more else "")


def _warning_counts(option: TreatmentOption) -> str:
    counts = Counter(w.status for w in option.warnings)
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "—"


def _wrapped(markup: str, first: str = "", rest: str | None = None) -> None:
    """Print ``markup`` wrapped to the console width after ``first`` (the first line's prefix),
    later lines indented by ``rest`` (default: as wide as ``first``); no trailing spaces."""
    rest = " " * len(first) if rest is None else rest
    width = max(out.width - len(rest), 20)
    lines = Text.from_markup(markup).wrap(out, width, overflow="fold")
    for n, line in enumerate(lines):
        line.rstrip()
        out.print(Text.assemble(first if n == 0 else rest, line))


def _bullets(title: str, items: Iterable[str], indent: int = 2) -> None:
    """``title`` then one bullet per item, wrapped with a hanging indent (items are markup)."""
    rows = list(items)
    if not rows:
        return
    out.print(f"{' ' * indent}[bold]{escape(title)}[/bold]")
    for row in rows:
        _wrapped(row, " " * indent + "• ")


def _cite(evidence: Evidence) -> str:
    unverified = " [dim]\\[unverified][/dim]" if not evidence.verified else ""
    return f"{escape(evidence.source.value)} {escape(evidence.id)} — {escape(evidence.title)}" + (
        unverified
    )


def _header(plan: TreatmentPlan) -> None:
    out.print(
        f"[bold]Treatment options: {escape(plan.patient_id)}[/bold] — {escape(_her2(plan))}, "
        f"metastatic line {plan.line} (as of {plan.as_of.isoformat()})"
    )
    fields = [
        ("line", plan.line_basis),
        ("current regimen", plan.current_regimen or "none"),
        ("endocrine sensitivity", plan.endocrine_sensitivity.value.replace("_", " ")),
    ]
    if plan.visceral_crisis:
        fields.append(("VISCERAL CRISIS", plan.visceral_crisis))
    for label, value in fields:
        _wrapped(escape(value), f"{label:<22}")


def _options_table(plan: TreatmentPlan) -> Table:
    wide = out.width >= _WIDE  # narrow terminals: the benefit is in the detail blocks
    table = Table(title="Ranked options", title_justify="left", show_lines=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("option", ratio=2, overflow="fold")
    table.add_column("agents", ratio=3, overflow="fold")
    table.add_column("grade", justify="center", no_wrap=True)
    table.add_column("evidence", ratio=4, overflow="fold")
    if wide:
        table.add_column("benefit", ratio=3, overflow="fold")
    table.add_column("warnings", ratio=2, min_width=9, overflow="fold")
    for option in plan.options:
        benefit = option.expected_benefit[0] if option.expected_benefit else "—"
        cells = [
            str(option.rank or ""),
            escape(option.name),
            escape(_agents(option, _TABLE_ALTERNATIVES)),
            option.grade.value,
            escape(_evidence_ids(option.evidence)),
            escape(_shorten(benefit, _BENEFIT_CHARS)),
            escape(_warning_counts(option)),
        ]
        table.add_row(*(cells if wide else cells[:5] + cells[6:]))
    return table


def _agent_line(agent: PlannedAgent) -> str:
    text = f"[bold]{escape(agent.agent)}[/bold] ({escape(agent.role)}, {escape(agent.route)})"
    if agent.alternatives:
        text += f"; or {escape(', '.join(agent.alternatives))}"
    if agent.set_aside:
        text += f"; set aside: {escape('; '.join(agent.set_aside))}"
    return text


def _option_detail(option: TreatmentOption) -> None:
    rank = f"{option.rank}. " if option.rank is not None else ""
    out.print(
        f"\n[bold]{rank}{escape(option.name)}[/bold] (grade {option.grade.value}; "
        f"{escape(option.schedule)})"
    )
    _bullets("agents", [_agent_line(a) for a in option.agents])
    if option.procedure:
        _bullets("procedure", [escape(option.procedure)])
    _bullets("combination", [escape(option.combination)])
    _bullets("why", [escape(w) for w in option.why])
    if option.matched_biomarkers:
        _bullets("matched biomarkers", [escape(", ".join(option.matched_biomarkers))])
    _bullets("expected benefit", [escape(b) for b in option.expected_benefit])
    _bullets(
        "warnings",
        (
            f"[bold]{escape(w.status)}[/bold] {escape(w.check)}"
            + (f" ({escape(w.agent)})" if w.agent else "")
            + f": {escape(w.detail)}"
            for w in option.warnings
        ),
    )
    _bullets(
        "monitoring",
        (
            f"{escape(m.advice)} [dim]({escape(m.source)})[/dim]"
            + (" [dim]\\[unverified][/dim]" if not m.verified else "")
            for m in option.monitoring
        ),
    )
    _bullets("evidence", (_cite(e) for e in option.evidence))


def _section(title: str) -> None:
    out.print()
    out.rule(f"[bold]{escape(title)}[/bold]", align="left")


def _footer(plan: TreatmentPlan) -> None:
    out.print()
    versions = "; ".join(f"{k}: {v}" for k, v in plan.knowledge_versions.items())
    _wrapped(f"[dim]Knowledge: {escape(versions)}[/dim]")
    _wrapped(f"[dim]{escape(plan.disclaimer)}[/dim]")


def _prognosis(result: PrognosisResult) -> None:
    title = f"[bold]{escape(result.model_id)}[/bold] v{escape(result.version)}"
    if not result.applicable:
        out.print(f"{title}: not applicable")
        _bullets("because", (escape(r) for r in result.reasons))
        return
    given = f", alive {result.given_years:.1f} years after it" if result.given_years else ""
    out.print(f"{title}: {escape(result.endpoint)}{escape(given)}")
    _bullets(
        "risk (95% CI)",
        (
            f"within {e.horizon_years:g} years: {100 * e.risk:.0f}% "
            f"({100 * e.ci_low:.0f}-{100 * e.ci_high:.0f}%)"
            for e in result.estimates
        ),
    )
    _bullets("from the case", [escape(result.rule)])
    _bullets("model card", [escape(result.card)])


def print_plan(plan: TreatmentPlan, *, detail: int | None) -> None:
    """One patient's plan: header, ranked options, detail of the first ``detail`` options
    (all when None), supportive and local options, options set aside, checkpoint-inhibitor
    eligibility, testing suggestions and notes."""
    _header(plan)
    out.print()
    if plan.options:
        out.print(_options_table(plan))
        _wrapped(f"[dim]{escape(_GRADES)}[/dim]")
    else:
        out.print("[bold]No systemic option fits this patient[/bold] (see set-aside below).")
    shown = plan.options if detail is None else plan.options[:detail]
    if shown:
        more = len(plan.options) - len(shown)
        _section(
            "Option detail" + (f" (first {len(shown)}; --all shows {more} more)" if more else "")
        )
        for option in shown:
            _option_detail(option)
    if plan.supportive_and_local:
        _section("Supportive and local")
        for option in plan.supportive_and_local:
            _option_detail(option)
    _section("Considered and set aside")
    if not plan.excluded:
        out.print("  none")
    for excluded in plan.excluded:
        agents = f" ({escape(', '.join(excluded.agents))})" if excluded.agents else ""
        out.print(f"[bold]{escape(excluded.name)}[/bold]{agents}")
        _bullets("set aside because", (escape(r) for r in excluded.reasons))
    ici = plan.immunotherapy
    _section(f"Checkpoint-inhibitor eligibility: {ici.status.value.replace('_', ' ')}")
    _bullets("reasons", (escape(r) for r in ici.reasons))
    _bullets("missing (not tested: unknown, not negative)", (escape(m) for m in ici.missing))
    _bullets("cautions", (escape(c) for c in ici.cautions))
    if plan.testing_suggestions:
        _section("Testing suggestions")
        _bullets(
            "tests",
            (
                f"[bold]{escape(s.test)}[/bold]: {escape(s.reason)}"
                for s in plan.testing_suggestions
            ),
        )
    if plan.prognosis:
        _section("Prognosis (population risk models)")
        for result in plan.prognosis:
            _prognosis(result)
    if plan.notes:
        _section("Notes")
        _bullets("notes", (escape(n) for n in plan.notes))
    _footer(plan)


def print_cohort(plans: Sequence[TreatmentPlan]) -> None:
    """One row per patient: subtype, line, the first three options, set-aside count, ICI."""
    table = Table(
        title=f"Treatment options: {len(plans)} patients",
        title_justify="left",
        expand=True,
        show_lines=True,
    )
    table.add_column("patient", no_wrap=True)
    table.add_column("subtype", max_width=13, overflow="fold")
    table.add_column("line", justify="right", no_wrap=True)
    table.add_column("top options", ratio=1, overflow="fold")
    table.add_column("set aside", justify="right", max_width=5, overflow="fold")
    table.add_column("ICI", max_width=12, overflow="fold")
    for plan in plans:
        top = [f"{o.rank}. {o.name} ({o.grade.value})" for o in plan.options[:3]]
        table.add_row(
            escape(plan.patient_id),
            escape(f"{plan.subtype or 'unknown'}\nHER2 {plan.her2.replace('_', ' ')}"),
            str(plan.line),
            escape("\n".join(top) or "—"),
            str(len(plan.excluded)),
            escape(plan.immunotherapy.status.value.replace("_", " ")),
        )
    out.print(table)
    if plans:
        note = "Per-patient detail, with the options set aside and why: oncoboard plan FILE."
        _wrapped(f"[dim]{note}[/dim]")
        _footer(plans[0])
