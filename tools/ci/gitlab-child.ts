/**
 * GitLab's child pipeline for one environment list (scripts/ci/environments.sh): a plan job per environment (a
 * removed one planned as a destroy from the base), the review, and, on the default branch, one manual apply job
 * per environment chained in the list's order, each in its protected environment, with a manual `approve destroy`
 * job in the protected environment `destroy-approval` before any apply when the synthesized change destroys,
 * replaces or moves something. The jobs' bodies are the hidden jobs of ci/gitlab/environment-jobs.yml.
 *
 *   node scripts/run-ts.js tools/ci/gitlab-child.ts <environments.json> [--apply] [--approve-destroy]
 *
 * Generated because GitLab's `parallel: matrix` and `needs` are fixed when the pipeline is created: a child
 * pipeline made from a file the parent writes is GitLab's documented way to a dynamic job list
 * (https://docs.gitlab.com/ci/pipelines/downstream_pipelines/#dynamic-child-pipelines).
 */
import { CommandLine, CommandLineError, parseCommandLine } from "../../lib/cli-args";
import { readFileSync } from "fs";
import { stringify } from "yaml";
import { CiEnvironment } from "./environments";

export interface ChildOptions {
  /** Add the apply jobs (default-branch pipelines only). */
  readonly apply: boolean;
  /** Hold every apply behind the manual `approve destroy` job. */
  readonly approveDestroy: boolean;
}

const NAME = /^[a-z][a-z0-9-]{0,30}$/;

/** The child pipeline as YAML; environment names are checked (they become job names and resource groups). */
export function gitlabChild(environments: readonly CiEnvironment[], options: ChildOptions): string {
  for (const e of environments) {
    if (!NAME.test(e.environment)) throw new Error(`environment name ${JSON.stringify(e.environment)}; allowed: ${NAME.source}`);
  }
  const jobs: Record<string, unknown> = {};
  const parent = { pipeline: "$PARENT_PIPELINE_ID", job: "synth" };
  for (const e of environments) {
    jobs[`plan ${e.environment}`] = {
      extends: ".plan",
      needs: [parent],
      variables: { ENVIRONMENT: e.environment, STACKS: e.destroy ? "out/base" : "out/head", DESTROY: e.destroy ? "--destroy" : "" },
      // One plan or apply of an environment at a time, queued, never cancelled (https://docs.gitlab.com/ci/resource_groups/).
      resource_group: `terraform-${e.environment}`,
    };
  }
  const plans = environments.map((e) => ({ job: `plan ${e.environment}`, optional: false }));
  jobs.review = { extends: ".review", needs: [parent, ...plans.map((p) => ({ ...p, artifacts: true }))] };
  if (options.apply) {
    if (options.approveDestroy) jobs["approve destroy"] = { extends: ".approve_destroy", needs: ["review"] };
    let previous: string | undefined;
    for (const e of environments) {
      const name = e.destroy ? `destroy ${e.environment}` : `apply ${e.environment}`;
      jobs[name] = {
        extends: ".apply",
        needs: [
          { job: `plan ${e.environment}`, artifacts: true },
          "review",
          ...(options.approveDestroy ? ["approve destroy"] : []),
          ...(previous !== undefined ? [previous] : []),
        ],
        variables: { ENVIRONMENT: e.environment },
        environment: { name: e.environment },
        resource_group: `terraform-${e.environment}`,
      };
      previous = name;
    }
  }
  return stringify(
    { include: [{ local: "ci/gitlab/environment-jobs.yml" }], stages: ["plan", "review", "apply"], ...jobs },
    { aliasDuplicateObjects: false },
  );
}

if (require.main === module) {
  const allowed = "allowed: <environments.json> [--apply] [--approve-destroy]";
  let line: CommandLine | undefined;
  try {
    line = parseCommandLine(process.argv.slice(2), { apply: { type: "boolean" }, "approve-destroy": { type: "boolean" } }, allowed);
  } catch (e) {
    if (!(e instanceof CommandLineError)) throw e;
    process.stderr.write(`gitlab-child: ${e.message}\n`);
  }
  if (line === undefined || line.positionals.length !== 1) {
    if (line !== undefined) process.stderr.write(`gitlab-child: expected one environments file, got ${line.positionals.length}; ${allowed}\n`);
    process.exitCode = 2;
  } else {
    const list = JSON.parse(readFileSync(line.positionals[0], "utf8")) as CiEnvironment[];
    process.stdout.write(gitlabChild(list, { apply: line.has("apply"), approveDestroy: line.has("approve-destroy") }));
  }
}
