#!/usr/bin/env node
/** `eks-audit-siem-review [--fail-on-destroy] [--plan <env>=<plan.json>]... <before> <after>`: tools/review.ts. */
import { main } from "../tools/review/review";
import { runCommand } from "./run";

runCommand("review", () => main(process.argv.slice(2)));
