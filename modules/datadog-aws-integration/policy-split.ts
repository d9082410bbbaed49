/**
 * Splitting a permission list into customer-managed IAM policies that each stay under IAM's size quota.
 *
 * IAM quota (IAM User Guide, "IAM and AWS STS quotas"): a managed policy document may hold at most 6,144
 * characters, and IAM does not count white space. The documents built here are minified JSON without white space,
 * so their length is exactly what IAM counts; {@link iamPolicyCharacterCount} measures it the way IAM does.
 */

/** IAM's managed-policy size quota, in characters, white space excluded. */
export const IAM_MANAGED_POLICY_MAX_CHARS = 6144;

/** The minified permissions-policy document granting `actions` on every resource. */
export function permissionsPolicyJson(actions: readonly string[], sid: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: sid, Effect: "Allow", Action: [...actions], Resource: "*" }],
  });
}

/** Characters IAM counts against the quota: every character except white space. */
export function iamPolicyCharacterCount(policyJson: string): number {
  return policyJson.replace(/\s/g, "").length;
}

/**
 * Splits `actions` (kept in the given order) greedily into consecutive chunks whose policy document, built with
 * `sidFor(chunkNumber)` (1-based), stays within `maxChars`. Deterministic: the same input gives the same chunks.
 * Linear: a document's size is counted as its empty document plus each quoted action and separating comma.
 */
export function splitActionsIntoPolicies(
  actions: readonly string[],
  sidFor: (chunkNumber: number) => string,
  maxChars: number = IAM_MANAGED_POLICY_MAX_CHARS,
): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  const emptySize = (): number => iamPolicyCharacterCount(permissionsPolicyJson([], sidFor(chunks.length + 1)));
  let size = emptySize();
  for (const action of actions) {
    const cost = iamPolicyCharacterCount(JSON.stringify(action)) + (current.length > 0 ? 1 : 0);
    if (size + cost <= maxChars) {
      current.push(action);
      size += cost;
      continue;
    }
    if (current.length > 0) chunks.push(current);
    current = [action];
    size = emptySize() + iamPolicyCharacterCount(JSON.stringify(action));
    if (size > maxChars) {
      throw new Error(`iam action ${JSON.stringify(action)} alone exceeds the policy size limit of ${maxChars} characters`);
    }
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
