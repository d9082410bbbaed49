import { DefaultTokenResolver, StringConcat, Tokenization } from "cdktf";
import { IConstruct } from "constructs";

/** The resolver cdktf's own stack rendering uses (packages/cdktf/lib/_tokens.ts). */
const RESOLVER = new DefaultTokenResolver(new StringConcat());

/** Resolves `value` in `scope` (a stack) as cdktf does when it renders the stack: references become expressions. */
export function resolveInStack(value: unknown, scope: IConstruct): unknown {
  return Tokenization.resolve(value, { scope, preparing: false, resolver: RESOLVER });
}
