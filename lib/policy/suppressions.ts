/**
 * Suppressing a policy rule for a construct and everything under it, with a written reason (cdk-nag's
 * `NagSuppressions.addResourceSuppressions`, which refuses a reason under 10 characters:
 * https://github.com/cdklabs/cdk-nag#suppressing-a-rule). The suppression is construct metadata, so it lives in the
 * code next to what it excuses and is reviewed with it; it is not written to `cdktf.out/`.
 */
import { TerraformDataSource, TerraformElement, TerraformResource } from "cdktf";
import { IConstruct } from "constructs";
import { Problem, Problems, throwProblems } from "../problem";
import { POLICY_RULE_IDS, PolicyRuleId } from "./rule-ids";

/** One suppression: which rule, and why the construct may break it. */
export interface PolicySuppression {
  /** The rule's id, e.g. `log-group-retention`. */
  readonly rule: string;
  /** Why the construct may break the rule, in words a reviewer can check (at least 10 characters). */
  readonly reason: string;
}

/** The construct-metadata type of a suppression. */
const SUPPRESSION_METADATA = "eks-audit-siem/policy-suppression";

/** The shortest reason taken (cdk-nag's limit). */
const MIN_REASON_LENGTH = 10;

/**
 * The problems of a suppression (empty when valid): a rule that does not exist, a reason shorter than 10 characters
 * (blank, or a placeholder). `what` names what the suppression excuses, for the reason's "allowed".
 */
export function policySuppressionProblems(suppression: PolicySuppression, what: string): Problem[] {
  const problems = new Problems();
  if (!(POLICY_RULE_IDS as readonly string[]).includes(suppression.rule)) {
    problems.add("rule", suppression.rule, `one of ${POLICY_RULE_IDS.join(", ")}`);
  }
  const reason = typeof suppression.reason === "string" ? suppression.reason.trim() : "";
  if (reason.length < MIN_REASON_LENGTH) {
    problems.add("reason", suppression.reason, `a written reason of at least ${MIN_REASON_LENGTH} characters: why ${what} may break the rule`);
  }
  return problems.list;
}

/**
 * Suppresses `suppression.rule` for `scope` and every construct under it. A rule that does not exist or a reason
 * shorter than 10 characters is refused at once, naming the construct.
 */
export function suppressPolicy(scope: IConstruct, suppression: PolicySuppression): void {
  throwProblems(`policy suppression at ${scope.node.path}`, policySuppressionProblems(suppression, scope.node.path));
  scope.node.addMetadata(SUPPRESSION_METADATA, { rule: suppression.rule, reason: suppression.reason.trim() });
}

/**
 * The resources and data sources of `scope` by Terraform address (`aws_cloudwatch_log_group.x`,
 * `data.aws_iam_policy_document.y`), as policy findings name them.
 */
export function elementsByAddress(scope: IConstruct): Map<string, TerraformElement> {
  const byAddress = new Map<string, TerraformElement>();
  for (const node of scope.node.findAll()) {
    if (TerraformResource.isTerraformResource(node)) byAddress.set(`${node.terraformResourceType}.${node.friendlyUniqueId}`, node);
    else if (TerraformDataSource.isTerraformDataSource(node)) byAddress.set(`data.${node.terraformResourceType}.${node.friendlyUniqueId}`, node);
  }
  return byAddress;
}

/** The suppression of `rule` that applies to `node` (set on it or on a scope above it), if any. */
export function suppressionOf(node: IConstruct, rule: PolicyRuleId): PolicySuppression | undefined {
  for (const scope of [...node.node.scopes].reverse()) {
    for (const entry of scope.node.metadata) {
      if (entry.type !== SUPPRESSION_METADATA) continue;
      const data = entry.data as PolicySuppression;
      if (data.rule === rule) return data;
    }
  }
  return undefined;
}
