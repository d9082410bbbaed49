#!/usr/bin/env node
/** `eks-audit-siem-rules <match|new|noise|backtest> ...`: the `rules` command (tools/rules.ts) of the installed package. */
import { main } from "../tools/rules/cli";
import { runCommand } from "./run";

runCommand("rules", () => main(process.argv.slice(2)));
