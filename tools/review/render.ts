/** Markdown of `review`: per environment, danger first, then each link of the chain, then counts. */
import type { EnvironmentDiff, ResourceChange } from "./diff";
import { ReviewBacktest, RuleBacktestChange, backtestLine, backtestSummary } from "./backtest";
import type { PlanFacts } from "./plan";
import { codeSpan, fencedBlock, tableCell } from "./markdown";
import { LINKS } from "./resources";

/** Appends lines one by one: a spread `push(...lines)` overflows the call stack for a plan of 100k+ changes. */
function append(out: string[], lines: readonly string[]): void {
  for (const line of lines) out.push(line);
}

export interface EnvironmentReview {
  readonly diff: EnvironmentDiff;
  readonly plan?: PlanFacts;
  /** The environment's changed detection rules with their backtest (`--backtest`). */
  readonly backtest?: readonly RuleBacktestChange[];
}

export function hasDanger(r: EnvironmentReview): boolean {
  return r.diff.danger.length > 0 || (r.plan?.danger.length ?? 0) > 0;
}

const KIND_TEXT = { added: "added", removed: "removed (destroyed)", changed: "changed", replaced: "replaced" } as const;

function environmentSection(r: EnvironmentReview): string[] {
  const d = r.diff;
  const out: string[] = [];
  const status = d.status === "added" ? " (new environment)" : d.status === "removed" ? " (environment removed: every resource destroyed)" : "";
  out.push(`## Environment ${codeSpan(d.environment)}${status}`, "");
  // The real plan's reason joins the synthesized finding for the same address; what only the plan sees follows.
  const planned = new Map((r.plan?.danger ?? []).map((x) => [x.address, x]));
  const dangers = [
    ...d.danger.map((x) => {
      const p = planned.get(x.address);
      const notes = [x.detail, p !== undefined ? `real plan: ${p.reason}` : undefined].filter((n) => n !== undefined);
      return `- **${x.text}** (${codeSpan(x.address)}${notes.map((n) => `; ${n}`).join("")})`;
    }),
  ];
  const synthesized = new Set(d.danger.map((y) => y.address));
  for (const x of r.plan?.danger ?? []) {
    if (!synthesized.has(x.address)) dangers.push(`- **${x.text}** (${codeSpan(x.address)}; real plan: ${x.reason})`);
  }
  if (dangers.length > 0) {
    out.push("### Danger: destroyed, replaced or moved", "");
    append(out, dangers);
    out.push("");
    for (const n of d.dangerNotes) out.push(`**${n}**`, "");
  }
  if (r.plan !== undefined) {
    const p = r.plan;
    out.push(`Real plan: ${p.create} to create, ${p.update} to update, ${p.replace} to replace, ${p.delete} to destroy.`, "");
  }
  if (d.status === "unchanged") {
    out.push("No change to the synthesized configuration.", "");
    return out;
  }
  if (d.settings.length > 0) {
    out.push("### Stack settings (backend, providers, Terraform, imports, data sources, variables, outputs)", "");
    for (const line of d.settings) out.push(`- ${line.split("\n").join("\n  ")}`);
    out.push("");
  }
  // The backtest line of a rule goes first under the rule's own change; a rule changed only by a suppression (its
  // resource unchanged) gets an item of its own after the link's changes.
  const backtests = new Map((r.backtest ?? []).map((b) => [b.address, b]));
  const listed = new Set(d.changes.map((c) => c.address));
  const byResource = (c: ResourceChange): string[] => {
    const b = backtests.get(c.address);
    return b === undefined ? [] : [backtestLine(b)];
  };
  for (const link of LINKS) {
    const notes = d.notes.get(link) ?? [];
    const items = d.changes.filter((c) => c.link === link);
    const suppressed = link === "Cloud SIEM" ? (r.backtest ?? []).filter((b) => !listed.has(b.address) && b.kind !== "unchanged") : [];
    if (items.length === 0 && notes.length === 0 && suppressed.length === 0) continue;
    out.push(`### ${link}`, "");
    for (const n of notes) out.push(`- ${n}`);
    // A whole environment added or removed: names only (and the backtest).
    const whole = d.status === "added" || d.status === "removed";
    for (const c of items) {
      out.push(`- ${c.subject}: ${KIND_TEXT[c.kind]}`);
      for (const line of [...byResource(c), ...(whole ? [] : c.details)]) out.push(`  - ${line.split("\n").join("\n  ")}`);
    }
    for (const b of suppressed) out.push(`- ${codeSpan(b.address)}: changed by the suppressions that apply to it`, `  - ${backtestLine(b)}`);
    out.push("");
  }
  out.push("| Link | added | changed | destroyed | replaced |", "|---|---:|---:|---:|---:|");
  for (const link of LINKS) {
    const c = d.counts[link];
    if (c.added + c.changed + c.destroyed + c.replaced === 0) continue;
    out.push(`| ${link} | ${c.added} | ${c.changed} | ${c.destroyed} | ${c.replaced} |`);
  }
  out.push("");
  return out;
}

/** What a review adds besides the environments: plans that failed, and the text of the saved plans. */
export interface ReviewExtras {
  /** Environments whose plan failed or is missing: said first, so no one reads the rest as complete. */
  readonly missingPlans?: readonly string[];
  /** `terraform plan` output per environment, shown collapsed at the end. */
  readonly planTexts?: ReadonlyArray<{ readonly environment: string; readonly text: string }>;
  /** What `--backtest` read (its rules are in each environment's review). */
  readonly backtest?: ReviewBacktest;
}

/** A plan's text as a collapsed block: the summary line (`Plan: ...`) as its title, the text in a safe fence. */
function planTextSection(environment: string, text: string): string[] {
  const lines = text.replace(/\n$/, "").split("\n");
  const summary = lines.find((l) => /^(Plan:|No changes\.)/.test(l)) ?? "no summary line";
  return [
    "<details>",
    `<summary>Plan of ${codeSpan(environment)}: ${codeSpan(summary)}</summary>`,
    "",
    ...fencedBlock(lines, "text"),
    "",
    "</details>",
    "",
  ];
}

/** The whole review; deterministic: environments sorted by name, nothing from the file system or the clock. */
export function renderReview(reviews: readonly EnvironmentReview[], extras: ReviewExtras = {}): string {
  // A removed environment first (everything in it is destroyed), then by name.
  const sorted = [...reviews].sort(
    (a, b) => Number(b.diff.status === "removed") - Number(a.diff.status === "removed") || (a.diff.environment < b.diff.environment ? -1 : 1),
  );
  const out: string[] = ["# Review of the synthesized change", ""];
  for (const env of extras.missingPlans ?? []) {
    out.push(
      `**Plan failed:** the plan of ${codeSpan(env)} failed or is missing (see its plan job); what follows for it is the synthesized change only.`,
      "",
    );
  }
  const dangerous = sorted.filter(hasDanger);
  out.push(
    dangerous.length > 0
      ? `**Danger:** something would be destroyed, replaced or moved in ${dangerous.map((r) => codeSpan(r.diff.environment)).join(", ")}; see below.`
      : "Nothing would be destroyed, replaced or moved.",
    "",
  );
  out.push("| Environment | status | destroyed or replaced | added | changed |", "|---|---|---:|---:|---:|");
  for (const r of sorted) {
    const totals = LINKS.map((l) => r.diff.counts[l]).reduce(
      (t, c) => ({ added: t.added + c.added, changed: t.changed + c.changed, gone: t.gone + c.destroyed + c.replaced }),
      { added: 0, changed: 0, gone: 0 },
    );
    const gone = Math.max(totals.gone, (r.plan?.delete ?? 0) + (r.plan?.replace ?? 0));
    out.push(`| ${tableCell(codeSpan(r.diff.environment))} | ${r.diff.status} | ${gone} | ${totals.added} | ${totals.changed} |`);
  }
  out.push("");
  if (extras.backtest !== undefined) append(out, backtestSummary(extras.backtest));
  // Environments with danger first.
  for (const r of [...dangerous, ...sorted.filter((x) => !hasDanger(x))]) append(out, environmentSection(r));
  const texts = extras.planTexts ?? [];
  if (texts.length > 0) {
    out.push("## Saved plans", "");
    for (const t of [...texts].sort((a, b) => (a.environment < b.environment ? -1 : 1))) append(out, planTextSection(t.environment, t.text));
  }
  return `${out.join("\n").trimEnd()}\n`;
}
