#!/usr/bin/env node
/** `eks-audit-siem-backtest ...`: `rules backtest` (tools/rules/backtest.ts) of the installed package. */
import { main } from "../tools/rules/cli";
import { runCommand } from "./run";

runCommand("backtest", () => main(["backtest", ...process.argv.slice(2)]));
