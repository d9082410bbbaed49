/**
 * `npm run --silent rules -- noise [--json] [--seed <n>]`: the pack's signals per rule per day on a benign busy cluster
 * week (computed by pack/noise.ts), as a table or JSON lines.
 */
import { CommandLine, CommandLineError, OptionSpec, parseCommandLine } from "../../lib/cli-args";
import { busyWeekNoise, renderNoiseTable } from "../../pack/noise";

export const NOISE_USAGE =
  "usage: rules noise [--json] [--seed <n>]\n" +
  "  signals per rule per day of the default pack on a benign busy cluster week (pack/busy-cluster.ts)\n" +
  "  --json   one JSON line per rule, then a totals line\n" +
  "  --seed   the generator's seed (default 18, the one docs/cloud-siem.md shows)\n";

const NOISE_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  json: { type: "boolean" },
  seed: { type: "string" },
  help: { type: "boolean", short: "h" },
};

/** Runs `rules noise`; resolves to the exit code. */
export function runNoise(argv: readonly string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): number {
  const allowed = "allowed: --json, --seed <n>";
  const refuse = (message: string): number => {
    io.stderr.write(`rules noise: ${message}\n${NOISE_USAGE}`);
    return 2;
  };
  let line: CommandLine;
  try {
    line = parseCommandLine(argv, NOISE_OPTIONS, allowed);
  } catch (e) {
    if (e instanceof CommandLineError) return refuse(e.message);
    throw e;
  }
  if (line.has("help")) {
    io.stderr.write(NOISE_USAGE);
    return 0;
  }
  if (line.positionals.length > 0) return refuse(`unexpected argument ${JSON.stringify(line.positionals[0])}; ${allowed}`);
  const json = line.has("json");
  const rawSeed = line.string("seed");
  if (rawSeed !== undefined && !/^\d{1,9}$/.test(rawSeed)) return refuse(`--seed needs a whole number, got ${JSON.stringify(rawSeed)}; ${allowed}`);
  const seed = rawSeed === undefined ? undefined : Number(rawSeed);
  const { rows, events, days } = busyWeekNoise(seed);
  if (json) {
    for (const r of rows) io.stdout.write(JSON.stringify(r) + "\n");
    io.stdout.write(JSON.stringify({ summary: { events, days, rules: rows.length } }) + "\n");
  } else {
    io.stdout.write(renderNoiseTable(rows, events, days, seed) + "\n");
  }
  return 0;
}
