/**
 * `npm run --silent eval:corpus -- [--json] [--as-eks] <corpus.jsonl>`
 *
 * Replays a corpus of audit events that other projects wrote for their own detection tests through the rule pack
 * (as deployed with default settings) and prints, per source rule, how many of the events the source expects to
 * alert the pack detects, and how many of the events it expects to stay quiet the pack alerts on.
 *
 * Corpus line formats (one JSON object per line):
 * - Panther style: `{"source", "rule": "<source rule id>", "test", "expected": true|false, "event": {...}}`;
 * - Falco style: `{"source", "test", "expected": ["<Falco rule>", ...] or [], "extra_rules_files": [...], "event"}`.
 *   Only lines whose `extra_rules_files` is empty (the stock ruleset) are scored; expected rules of priority INFO
 *   (Falco's "K8s <object> Created/Deleted" activity rules) are reported but not scored.
 *
 * A pack rule *matches* an event when one of its queries matches it. It *alerts* on one event when a single matching
 * event satisfies a case condition (`a > 0`) and carries the query's group-by fields (Datadog ignores events without
 * them, `has_optional_group_by_fields` false); rules that need a burst (`denied > 10`) only match. A New Value rule
 * that matches an event carrying its group-by and New Value fields is a *first sighting*: Datadog signals it only when
 * the rule is past its learning duration and the value was not seen before (or was forgotten), "the rule learns the
 * values for the first seven days and then triggers on any new values after the seven days"
 * (https://docs.datadoghq.com/security/cloud_siem/detect_and_monitor/custom_detection_rules/new_value/). One corpus
 * event has no history, so whether it alerts cannot be told: first sightings are counted apart, never as alerts.
 * Detected = at least one pack rule matches; a quiet event is alerted on when at least one pack rule alerts.
 *
 * An event without `verb` (other projects' test events leave out fields their rules do not read) is matched as Datadog
 * indexes it, without `@http.method` (`requireVerb: false` of the normalizer); the API server always writes a verb.
 *
 * `--as-eks` sees each event as EKS logs it (`lib/audit/eks-audit-policy.ts`): an event EKS never logs matches
 * nothing (reported as such), and the bodies its level drops are removed before matching.
 *
 * Exit codes: 0 when the corpus was evaluated; 2 for bad arguments or an unreadable file (missing, or not a regular
 * file: a directory, a FIFO, a device); 1 for a line that is not a corpus line. A line longer than any CloudWatch line
 * (`MAX_EVENT_LINE_CHARS`) is reported on stderr and skipped.
 */
import { closeSync, fstatSync, openSync, readFileSync } from "fs";
import { CommandLine, CommandLineError, OptionSpec, parseCommandLine } from "../../lib/cli-args";
import { cannotReadMessage, irregularFileKind, NotRegularFileError, OPEN_INPUT_FLAGS } from "../../lib/input-file";
import { applyEksPolicy, normalizeAuditEvent, AuditEventError } from "../../lib/audit";
import type { MatchableRule } from "../../lib/rules/matchable";
import { defineRule, DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_RULE_PACK } from "../../pack/rules";
import { tuneRules } from "../../modules/cloud-siem/tuning";
import { compileRules, RuleSet } from "../../lib/rules/compile";
import { lineTooLongReason, MAX_EVENT_LINE_CHARS } from "../../lib/rules/events";
import { compileCondition } from "../../lib/rules/signals";
import { compileFieldReader } from "../../lib/query";
import { problemText, show } from "../../lib/problem";
import { isObject } from "../../lib/is-object";

/** Falco rules of priority INFO (falcosecurity/plugins `plugins/k8saudit/rules/k8s_audit_rules.yaml`): activity logs, not detections. */
export const FALCO_INFO_RULES: readonly string[] = [
  "K8s Deployment Created",
  "K8s Deployment Deleted",
  "K8s Service Created",
  "K8s Service Deleted",
  "K8s ConfigMap Created",
  "K8s ConfigMap Deleted",
  "K8s Namespace Created",
  "K8s Namespace Deleted",
  "K8s Serviceaccount Created",
  "K8s Serviceaccount Deleted",
  "K8s Role/Clusterrole Created",
  "K8s Role/Clusterrole Deleted",
  "K8s Role/Clusterrolebinding Created",
  "K8s Role/Clusterrolebinding Deleted",
  "K8s Role Created",
  "K8s Role Deleted",
  "K8s ClusterRole Created",
  "K8s ClusterRole Deleted",
  "K8s RoleBinding Created",
  "K8s RoleBinding Deleted",
  "K8s ClusterRoleBinding Created",
  "K8s ClusterRoleBinding Deleted",
  "K8s Secret Created",
  "K8s Secret Deleted",
];

/** One line of a corpus, validated. */
export interface CorpusLine {
  readonly line: number;
  readonly style: "panther" | "falco";
  /** Panther: the source rule id; Falco: the first expected rule, or `(nothing expected)`. */
  readonly sourceRule: string;
  readonly test: string;
  /** Whether the source expects this event to alert (Falco: an expected rule that is not INFO). */
  readonly expectedAlert: boolean;
  /** Whether the line counts: false for Falco lines with test-only rule files, or INFO-only expectations. */
  readonly scored: boolean;
  /** Why the line is not scored. @default - scored */
  readonly unscoredReason?: string;
  readonly event: unknown;
}

/** The pack's verdict on one corpus line. */
export interface LineResult {
  readonly corpus: CorpusLine;
  /** Ids of the pack rules whose queries match the event. */
  readonly matched: readonly string[];
  /** Ids of the matched rules that alert on this single event. */
  readonly alerting: readonly string[];
  /** Ids of the matched New Value rules that signal this event only if its value is new after the learning duration. */
  readonly firstSighting: readonly string[];
  /** Set when the event is not an audit event the pipeline would accept (e.g. its `verb` is not a string). */
  readonly error?: string;
  /** With `--as-eks`: why EKS would not log the event. @default - logged */
  readonly notLoggedByEks?: string;
}

/** Thrown for a line that is not a corpus line; the message names the line and the field. */
export class CorpusLineError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = "CorpusLineError";
  }
}

/** Parses one non-blank corpus line. @throws CorpusLineError */
export function parseCorpusLine(text: string, line: number): CorpusLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new CorpusLineError(`line ${line}: not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(value)) throw new CorpusLineError(`line ${line}: expected a JSON object with "test", "expected" and "event"`);
  const test = typeof value.test === "string" ? value.test : "";
  if (!isObject(value.event)) throw new CorpusLineError(lineProblem(line, "event", value.event, "an audit event object"));
  const expected = value.expected;
  if (typeof expected === "boolean") {
    if (typeof value.rule !== "string" || value.rule === "") {
      throw new CorpusLineError(lineProblem(line, "rule", value.rule, 'the source rule id, with a boolean "expected"'));
    }
    return { line, style: "panther", sourceRule: value.rule, test, expectedAlert: expected, scored: true, event: value.event };
  }
  if (Array.isArray(expected) && expected.every((e) => typeof e === "string")) {
    const extra = value.extra_rules_files;
    if (extra !== undefined && !(Array.isArray(extra) && extra.every((e) => typeof e === "string"))) {
      throw new CorpusLineError(lineProblem(line, "extra_rules_files", extra, "a list of file names"));
    }
    const names = expected;
    const detections = names.filter((n) => !FALCO_INFO_RULES.includes(n));
    const stock = extra === undefined || extra.length === 0;
    const infoOnly = names.length > 0 && detections.length === 0;
    return {
      line,
      style: "falco",
      sourceRule: names[0] ?? "(nothing expected)",
      test,
      expectedAlert: detections.length > 0,
      scored: stock && !infoOnly,
      ...(stock
        ? infoOnly
          ? { unscoredReason: "expects only INFO-priority activity rules" }
          : {}
        : { unscoredReason: "depends on test-only rule files" }),
      event: value.event,
    };
  }
  throw new CorpusLineError(lineProblem(line, "expected", expected, "true/false, or a list of rule names"));
}

/** `line <n>: <field>: received <value>; allowed: <what>` */
function lineProblem(line: number, field: string, value: unknown, allowed: string): string {
  return `line ${line}: ${problemText({ field, received: show(value), allowed })}`;
}

/**
 * Whether one matching event satisfies a case condition of the rule, whatever came before it. New Value rules: never
 * (their signal depends on the values seen before: see `firstSighting`).
 */
export function alertsOnOneEvent(rule: MatchableRule): boolean {
  if (rule.detectionMethod === "new_value") return false;
  const names = rule.queries.map((q) => q.name);
  const one = Object.fromEntries(names.map((n) => [n, 1]));
  return rule.cases.some((c) => {
    if (c.condition === undefined) return true;
    const condition = compileCondition(c.condition, names);
    return typeof condition !== "string" && condition(one);
  });
}

/** Evaluates corpus lines against rules. */
export function evaluateCorpus(
  lines: readonly CorpusLine[],
  rules: readonly MatchableRule[],
  options: { readonly asEks?: boolean } = {},
): LineResult[] {
  const ruleSet: RuleSet = compileRules(rules, () => undefined);
  const alerting = rules.map(alertsOnOneEvent);
  const keyed = rules.map((rule) =>
    rule.queries.map((q) => [...q.groupByFields, ...(rule.detectionMethod === "new_value" ? q.metrics : [])].map(compileFieldReader)),
  );
  const results: boolean[] = new Array<boolean>(ruleSet.queries.size).fill(false);
  return lines.map((corpus) => {
    let log;
    try {
      log = normalizeAuditEvent(corpus.event, { requireVerb: false });
    } catch (e) {
      if (e instanceof AuditEventError) return { corpus, matched: [], alerting: [], firstSighting: [], error: e.message };
      throw e;
    }
    const dropped = options.asEks === true ? applyEksPolicy(log.attributes) : undefined;
    if (dropped !== undefined) return { corpus, matched: [], alerting: [], firstSighting: [], notLoggedByEks: dropped };
    ruleSet.queries.evaluate(log, results);
    const matched: string[] = [];
    const alerts: string[] = [];
    const firstSighting: string[] = [];
    ruleSet.rules.forEach((c, r) => {
      if (c.queries.some((q) => results[q.slot])) {
        const id = c.rule.id ?? c.rule.name;
        matched.push(id);
        // A signal needs the group-by (and New Value) fields: Datadog ignores events without them.
        const keyedMatch = c.queries.some((q, k) => results[q.slot] && keyed[r][k].every((read) => read(log) !== undefined));
        if (keyedMatch && alerting[r]) alerts.push(id);
        else if (keyedMatch && c.rule.detectionMethod === "new_value") firstSighting.push(id);
      }
    });
    return { corpus, matched, alerting: alerts, firstSighting };
  });
}

/** Per source rule: expected alerts detected, quiet events alerted on. */
export interface SourceRuleSummary {
  readonly sourceRule: string;
  positives: number;
  detected: number;
  negatives: number;
  /** Quiet events some pack rule alerts on by itself. */
  alerted: number;
  /** Quiet events no rule alerts on but a New Value rule sights first (a signal only if the value is new). */
  firstSightingOnly: number;
  /** Quiet events only burst rules match (one event is not yet an alert). */
  burstOnly: number;
}

/** Totals and per-source-rule summaries of the scored lines. */
export interface CorpusReport {
  readonly bySourceRule: readonly SourceRuleSummary[];
  readonly positives: number;
  readonly detected: number;
  /** Expected detections that only burst rules match (one event is a match, not yet a signal). */
  readonly detectedByBurstOnly: number;
  /** Expected detections that only New Value first sightings match (a signal only if the value is new). */
  readonly detectedByFirstSightingOnly: number;
  readonly negatives: number;
  readonly alerted: number;
  readonly firstSightingOnly: number;
  readonly burstOnly: number;
  readonly unscored: number;
  readonly misses: readonly LineResult[];
  readonly falseAlerts: readonly LineResult[];
  /** Quiet events only New Value first sightings match. */
  readonly firstSightings: readonly LineResult[];
}

export function summarize(results: readonly LineResult[]): CorpusReport {
  const groups = new Map<string, SourceRuleSummary>();
  const misses: LineResult[] = [];
  const falseAlerts: LineResult[] = [];
  const firstSightings: LineResult[] = [];
  let unscored = 0;
  let detectedByBurstOnly = 0;
  let detectedByFirstSightingOnly = 0;
  for (const r of results) {
    if (!r.corpus.scored) {
      unscored++;
      continue;
    }
    let g = groups.get(r.corpus.sourceRule);
    if (g === undefined) {
      g = { sourceRule: r.corpus.sourceRule, positives: 0, detected: 0, negatives: 0, alerted: 0, firstSightingOnly: 0, burstOnly: 0 };
      groups.set(r.corpus.sourceRule, g);
    }
    if (r.corpus.expectedAlert) {
      g.positives++;
      if (r.matched.length > 0) {
        g.detected++;
        if (r.alerting.length === 0 && r.firstSighting.length > 0) detectedByFirstSightingOnly++;
        else if (r.alerting.length === 0) detectedByBurstOnly++;
      } else misses.push(r);
    } else {
      g.negatives++;
      if (r.alerting.length > 0) {
        g.alerted++;
        falseAlerts.push(r);
      } else if (r.firstSighting.length > 0) {
        g.firstSightingOnly++;
        firstSightings.push(r);
      } else if (r.matched.length > 0) g.burstOnly++;
    }
  }
  const all = [...groups.values()];
  const sum = (k: "positives" | "detected" | "negatives" | "alerted" | "firstSightingOnly" | "burstOnly") => all.reduce((n, g) => n + g[k], 0);
  return {
    bySourceRule: all,
    positives: sum("positives"),
    detected: sum("detected"),
    detectedByBurstOnly,
    detectedByFirstSightingOnly,
    negatives: sum("negatives"),
    alerted: sum("alerted"),
    firstSightingOnly: sum("firstSightingOnly"),
    burstOnly: sum("burstOnly"),
    unscored,
    misses,
    falseAlerts,
    firstSightings,
  };
}

/** The human-readable report. */
export function renderReport(file: string, report: CorpusReport, ruleCount: number): string {
  const out: string[] = [];
  out.push(`${file}: ${report.positives + report.negatives} scored lines (${report.unscored} not scored), ${ruleCount} pack rules`);
  out.push("");
  const width = Math.max(11, ...report.bySourceRule.map((g) => g.sourceRule.length));
  out.push(`${"source rule".padEnd(width)}  detected  alerted-on-quiet  first-sighting-on-quiet  burst-only-on-quiet`);
  for (const g of report.bySourceRule) {
    const det = g.positives > 0 ? `${g.detected}/${g.positives}` : "-";
    const of = (n: number) => (g.negatives > 0 ? `${n}/${g.negatives}` : "-");
    out.push(
      `${g.sourceRule.padEnd(width)}  ${det.padEnd(8)}  ${of(g.alerted).padEnd(16)}  ${of(g.firstSightingOnly).padEnd(23)}  ${of(g.burstOnly)}`,
    );
  }
  out.push("");
  out.push(
    `detected: ${report.detected} of ${report.positives} events expected to alert (${report.detectedByBurstOnly} of them matched only by burst rules, ` +
      `${report.detectedByFirstSightingOnly} only by New Value first sightings)`,
  );
  out.push(
    `alerted on quiet events: ${report.alerted} of ${report.negatives} (plus ${report.firstSightingOnly} New Value first sightings, ` +
      `a signal only if the value is new after the learning duration, and ${report.burstOnly} matched only by burst rules)`,
  );
  if (report.misses.length > 0) {
    out.push("", "misses:");
    for (const m of report.misses) {
      out.push(
        `  line ${m.corpus.line} ${m.corpus.sourceRule} ${JSON.stringify(m.corpus.test)}: ${m.error !== undefined ? `not an audit event (${m.error})` : m.notLoggedByEks !== undefined ? `not logged by EKS: ${m.notLoggedByEks}` : "no pack rule matches"}`,
      );
    }
  }
  if (report.falseAlerts.length > 0) {
    out.push("", "alerts on events expected to stay quiet:");
    for (const f of report.falseAlerts) {
      out.push(`  line ${f.corpus.line} ${f.corpus.sourceRule} ${JSON.stringify(f.corpus.test)}: ${f.alerting.join(", ")}`);
    }
  }
  if (report.firstSightings.length > 0) {
    out.push("", "New Value first sightings on events expected to stay quiet (a signal only if the value is new):");
    for (const f of report.firstSightings) {
      out.push(`  line ${f.corpus.line} ${f.corpus.sourceRule} ${JSON.stringify(f.corpus.test)}: ${f.firstSighting.join(", ")}`);
    }
  }
  return out.join("\n") + "\n";
}

/**
 * The text of a corpus file. A path that is not a regular file (a directory, a FIFO, a device such as /dev/zero) is
 * refused before it is read (lib/input-file.ts: opened without waiting, checked with fstat on the descriptor).
 */
function readCorpusFile(file: string): string {
  const fd = openSync(file, OPEN_INPUT_FLAGS);
  try {
    const kind = irregularFileKind(fstatSync(fd));
    if (kind !== undefined) throw new NotRegularFileError(kind);
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
}

const USAGE =
  "usage: eval-corpus [--json] [--as-eks] <corpus.jsonl>\n  --json    one JSON line per corpus line, then a summary line\n" +
  "  --as-eks  see events as EKS logs them (drop what its audit policy never logs, strip the bodies its levels drop)\n";

const EVAL_CORPUS_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  json: { type: "boolean" },
  "as-eks": { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

/** Parses, evaluates and prints; resolves to the exit code. */
export function runEvalCorpus(
  argv: readonly string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
  pack: readonly DetectionRuleProps[] = EKS_RULE_PACK,
): number {
  let line: CommandLine;
  try {
    line = parseCommandLine(argv, EVAL_CORPUS_OPTIONS, "allowed: --json, --as-eks, --help, and one corpus file");
  } catch (e) {
    if (!(e instanceof CommandLineError)) throw e;
    io.stderr.write(`eval-corpus: ${e.message}\n${USAGE}`);
    return 2;
  }
  if (line.has("help")) {
    io.stderr.write(USAGE);
    return 0;
  }
  const json = line.has("json");
  const asEks = line.has("as-eks");
  const rest = line.positionals;
  if (rest.length !== 1) {
    io.stderr.write(
      `eval-corpus: expected one corpus file, got ${rest.length === 0 ? "none" : rest.map((a) => JSON.stringify(a)).join(" ")}\n${USAGE}`,
    );
    return 2;
  }
  const file = rest[0];
  let text: string;
  try {
    text = readCorpusFile(file);
  } catch (e) {
    io.stderr.write(`eval-corpus: ${cannotReadMessage("the corpus file", file, e)}\n`);
    return 2;
  }
  let lines: CorpusLine[];
  try {
    lines = text.split("\n").flatMap((t, i) => {
      if (t.trim() === "") return [];
      // A line longer than any CloudWatch line holds no event EKS could deliver: reported, skipped, the run goes on.
      if (t.length > MAX_EVENT_LINE_CHARS) {
        io.stderr.write(`eval-corpus: ${file}: line ${i + 1}: ${lineTooLongReason(t.length)}\n`);
        return [];
      }
      return [parseCorpusLine(t, i + 1)];
    });
  } catch (e) {
    if (e instanceof CorpusLineError) {
      io.stderr.write(`eval-corpus: ${file}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  // As deployed with default settings (identity attribute included).
  const rules = tuneRules(pack, {})
    .map(defineRule)
    .filter((r) => r.enabled);
  const results = evaluateCorpus(lines, rules, { asEks });
  const report = summarize(results);
  if (json) {
    for (const r of results) {
      io.stdout.write(
        JSON.stringify({
          line: r.corpus.line,
          sourceRule: r.corpus.sourceRule,
          test: r.corpus.test,
          expectedAlert: r.corpus.expectedAlert,
          scored: r.corpus.scored,
          matched: r.matched,
          alerting: r.alerting,
          firstSighting: r.firstSighting,
          ...(r.error === undefined ? {} : { error: r.error }),
          ...(r.notLoggedByEks === undefined ? {} : { notLoggedByEks: r.notLoggedByEks }),
        }) + "\n",
      );
    }
    const { positives, detected, detectedByBurstOnly, detectedByFirstSightingOnly, negatives, alerted, firstSightingOnly, burstOnly, unscored } =
      report;
    io.stdout.write(
      JSON.stringify({
        summary: {
          positives,
          detected,
          detectedByBurstOnly,
          detectedByFirstSightingOnly,
          negatives,
          alerted,
          firstSightingOnly,
          burstOnly,
          unscored,
          rules: rules.length,
        },
      }) + "\n",
    );
  } else {
    io.stdout.write(renderReport(file, report, rules.length));
  }
  return 0;
}

if (require.main === module) {
  process.exitCode = runEvalCorpus(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
}
