import { didYouMean } from "../lib/did-you-mean";
import { FieldNames, Problems } from "../lib/problem";

/**
 * A small schema language: one definition gives both the validator (with the project's error format) and the
 * JSON Schema for editor completion, so the two can never disagree.
 *
 * Validation never stops at the first problem: every problem is collected (lib/problem.ts `Problems`) with its field
 * path relative to the document root (e.g. `environments[1].name`), the value received and what is allowed.
 */

export type JsonSchema = { [key: string]: unknown };

/** Collects the problems found while walking the input: the project's one collector (lib/problem.ts). */
export type Context = Problems;

/**
 * The config's names for props fields (`{ createIntegration: "create" }`), as the {@link FieldNames} a module's shared
 * check takes; a props field the map lacks keeps its name.
 */
export function configNames(names: Readonly<Record<string, string>>): FieldNames {
  return (field) => names[field] ?? field;
}

export const join = (path: string, key: string | number): string =>
  typeof key === "number" ? `${path}[${key}]` : path === "" ? key : `${path}.${key}`;

export abstract class Schema<T> {
  description?: string;
  /** Returns the validated value, or `undefined` after recording problems. */
  abstract check(value: unknown, path: string, ctx: Context): T | undefined;
  protected abstract schema(): JsonSchema;
  /** What is allowed, in words, for error messages. */
  abstract allowed(): string;

  toJsonSchema(): JsonSchema {
    return this.description === undefined ? this.schema() : { description: this.description, ...this.schema() };
  }

  /** A copy of this schema with a description (schemas are shared, so never mutated). */
  describe(description: string): this {
    const copy = Object.create(Object.getPrototypeOf(this) as object) as this;
    Object.assign(copy, this);
    copy.description = description;
    return copy;
  }

  /**
   * Like `check`, but returns what could be validated even when some parts are invalid: objects and lists keep
   * their shape, an invalid part is {@link INVALID}. Lets a cross-field check run in the same pass as the checks of
   * its parts, skipping only what depends on an invalid part.
   */
  checkLoose(value: unknown, path: string, ctx: Context): Loose<T> {
    const result = this.check(value, path, ctx);
    return (result === undefined ? INVALID : result) as Loose<T>;
  }

  /** Adds a check that runs when the value itself is valid. Record problems with paths relative to `path`. */
  refine(fn: (value: T, path: string, ctx: Context) => void): Schema<T> {
    return new Refined(this, { loose: false, fn });
  }

  /**
   * Adds a check that runs in the same pass as the checks of the parts, valid or not: it gets the value with every
   * invalid part replaced by {@link INVALID} (see {@link valid}) and must skip what depends on an invalid part.
   */
  refineLoose(fn: (value: Loose<T>, path: string, ctx: Context) => void): Schema<T> {
    return new Refined(this, { loose: true, fn });
  }
}

/** Marks a part of a value that did not validate (see {@link Schema.checkLoose}). */
export const INVALID: unique symbol = Symbol("invalid");

/** A value whose invalid parts are {@link INVALID}. */
export type Loose<T> =
  typeof INVALID | (T extends readonly (infer E)[] ? Loose<E>[] : T extends object ? { readonly [K in keyof T]: Loose<T[K]> } : T);

/** The value if no part of it is {@link INVALID} (then it is whole and valid), else undefined. */
export function whole<T>(value: Loose<T>): T | undefined {
  const isWhole = (v: unknown): boolean =>
    v === INVALID ? false : Array.isArray(v) ? v.every(isWhole) : typeof v === "object" && v !== null ? Object.values(v).every(isWhole) : true;
  return isWhole(value) ? (value as T) : undefined;
}

/** Narrows a loose part to a valid one. */
export function valid<T>(value: Loose<T> | typeof INVALID): value is Exclude<Loose<T>, typeof INVALID> {
  return value !== INVALID;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

/** A cross-field check: on the valid value only (`refine`), or on the partly valid one too (`refineLoose`). */
type Refinement<T> =
  | { readonly loose: false; readonly fn: (value: T, path: string, ctx: Context) => void }
  | { readonly loose: true; readonly fn: (value: Loose<T>, path: string, ctx: Context) => void };

class Refined<T> extends Schema<T> {
  constructor(
    private readonly inner: Schema<T>,
    private readonly refinement: Refinement<T>,
  ) {
    super();
    this.description = inner.description;
  }
  check(value: unknown, path: string, ctx: Context): T | undefined {
    const before = ctx.list.length;
    const result = this.inner.check(value, path, ctx);
    const r = this.refinement;
    if (result !== undefined && ctx.list.length === before) {
      if (r.loose) r.fn(result as Loose<T>, path, ctx);
      else r.fn(result, path, ctx);
    } else if (r.loose) {
      // The issues of the parts are already recorded: collect the valid parts on a scratch context.
      const partial = this.inner.checkLoose(value, path, new Problems());
      if (partial !== INVALID) r.fn(partial, path, ctx);
    }
    return result;
  }
  checkLoose(value: unknown, path: string, ctx: Context): Loose<T> {
    const before = ctx.list.length;
    const partial = this.inner.checkLoose(value, path, ctx);
    const r = this.refinement;
    if (partial !== INVALID) {
      if (r.loose) r.fn(partial, path, ctx);
      // No issue in the parts: the value is whole.
      else if (ctx.list.length === before) r.fn(partial as T, path, ctx);
    }
    return partial;
  }
  protected schema(): JsonSchema {
    return this.inner.toJsonSchema();
  }
  allowed(): string {
    return this.inner.allowed();
  }
}

const typeName = (value: unknown): string => (value === null ? "null" : Array.isArray(value) ? "array" : typeof value);

// ---------------------------------------------------------------------------------------------- scalars

export interface StringOptions {
  /** Regular expression the whole value must match. */
  readonly pattern?: RegExp;
  /** Words for the pattern in errors, e.g. "12 digits". */
  readonly format?: string;
  readonly enum?: readonly string[];
  readonly minLength?: number;
  readonly maxLength?: number;
}

/** cdktf's token markers for strings, lists and maps (cdktf `lib/tokens/private/encoding.ts`). */
const CDKTF_TOKEN_MARKER = /[$#&]\{TfToken\[/;

class StringSchema<T extends string> extends Schema<T> {
  constructor(private readonly options: StringOptions) {
    super();
  }
  check(value: unknown, path: string, ctx: Context): T | undefined {
    const o = this.options;
    if (typeof value !== "string") {
      ctx.add(path, value, `${this.allowed()} (got ${typeName(value)})`);
      return undefined;
    }
    if (CDKTF_TOKEN_MARKER.test(value)) {
      // Text is written literally (lib/literal-text.ts), except cdktf's own token markers, which no text can mean.
      ctx.add(path, value, `${this.allowed()}, without cdktf's token marker \${TfToken[...]} (cdktf would replace it with a value of its own)`);
      return undefined;
    }
    const bad =
      (o.enum !== undefined && !o.enum.includes(value)) ||
      (o.minLength !== undefined && value.length < o.minLength) ||
      (o.maxLength !== undefined && value.length > o.maxLength) ||
      (o.pattern !== undefined && !o.pattern.test(value));
    if (bad) {
      const hint = o.enum !== undefined ? didYouMean(value, o.enum) : "";
      ctx.add(path, value, this.allowed() + hint);
      return undefined;
    }
    return value as T;
  }
  protected schema(): JsonSchema {
    const o = this.options;
    return {
      type: "string",
      ...(o.enum !== undefined ? { enum: [...o.enum] } : {}),
      ...(o.pattern !== undefined ? { pattern: o.pattern.source } : {}),
      ...(o.minLength !== undefined ? { minLength: o.minLength } : {}),
      ...(o.maxLength !== undefined ? { maxLength: o.maxLength } : {}),
    };
  }
  allowed(): string {
    const o = this.options;
    if (o.enum !== undefined) return `one of ${o.enum.map((e) => JSON.stringify(e)).join(", ")}`;
    const parts = [o.format ?? (o.pattern !== undefined ? `a string matching ${o.pattern.source}` : "a string")];
    if (o.minLength !== undefined && o.maxLength !== undefined) parts.push(`${o.minLength} to ${o.maxLength} characters`);
    else if (o.minLength !== undefined) parts.push(`at least ${o.minLength} characters`);
    else if (o.maxLength !== undefined) parts.push(`at most ${o.maxLength} characters`);
    return parts.join(", ");
  }
}

export function str(options: StringOptions = {}): Schema<string> {
  return new StringSchema<string>(options);
}

export function literal<const T extends string>(values: readonly T[]): Schema<T> {
  return new StringSchema<T>({ enum: values });
}

export interface IntegerOptions {
  readonly minimum?: number;
  readonly maximum?: number;
  readonly enum?: readonly number[];
}

class IntegerSchema extends Schema<number> {
  constructor(
    private readonly options: IntegerOptions,
    private readonly integer = true,
  ) {
    super();
  }
  check(value: unknown, path: string, ctx: Context): number | undefined {
    const o = this.options;
    const ok =
      typeof value === "number" &&
      Number.isFinite(value) &&
      (!this.integer || Number.isInteger(value)) &&
      (o.enum === undefined || o.enum.includes(value)) &&
      (o.minimum === undefined || value >= o.minimum) &&
      (o.maximum === undefined || value <= o.maximum);
    if (!ok) {
      ctx.add(path, value, this.allowed());
      return undefined;
    }
    return value;
  }
  protected schema(): JsonSchema {
    const o = this.options;
    return {
      type: this.integer ? "integer" : "number",
      ...(o.enum !== undefined ? { enum: [...o.enum] } : {}),
      ...(o.minimum !== undefined ? { minimum: o.minimum } : {}),
      ...(o.maximum !== undefined ? { maximum: o.maximum } : {}),
    };
  }
  allowed(): string {
    const o = this.options;
    const kind = this.integer ? "an integer" : "a number";
    if (o.enum !== undefined) return `one of ${o.enum.join(", ")}`;
    if (o.minimum !== undefined && o.maximum !== undefined) return `${kind} from ${o.minimum} to ${o.maximum}`;
    if (o.minimum !== undefined) return `${kind} of at least ${o.minimum}`;
    if (o.maximum !== undefined) return `${kind} of at most ${o.maximum}`;
    return kind;
  }
}

export function int(options: IntegerOptions = {}): Schema<number> {
  return new IntegerSchema(options);
}

/** Any finite number (e.g. a sample rate from 0 to 1). */
export function num(options: Omit<IntegerOptions, "enum"> = {}): Schema<number> {
  return new IntegerSchema(options, false);
}

class BooleanSchema extends Schema<boolean> {
  check(value: unknown, path: string, ctx: Context): boolean | undefined {
    if (typeof value !== "boolean") {
      ctx.add(path, value, this.allowed());
      return undefined;
    }
    return value;
  }
  protected schema(): JsonSchema {
    return { type: "boolean" };
  }
  allowed(): string {
    return "true or false";
  }
}

export function bool(): Schema<boolean> {
  return new BooleanSchema();
}

// ---------------------------------------------------------------------------------------------- collections

export interface ArrayOptions {
  readonly minItems?: number;
  readonly maxItems?: number;
  /** Items must be distinct (compared as JSON). */
  readonly unique?: boolean;
}

class ArraySchema<T> extends Schema<T[]> {
  constructor(
    private readonly item: Schema<T>,
    private readonly options: ArrayOptions,
  ) {
    super();
  }
  check(value: unknown, path: string, ctx: Context): T[] | undefined {
    const o = this.options;
    if (!Array.isArray(value)) {
      ctx.add(path, value, this.allowed());
      return undefined;
    }
    let ok = true;
    if ((o.minItems !== undefined && value.length < o.minItems) || (o.maxItems !== undefined && value.length > o.maxItems)) {
      ctx.add(path, value, this.allowed());
      ok = false;
    }
    const out: T[] = [];
    const seen = new Map<string, number>();
    value.forEach((element, i) => {
      const result = this.item.check(element, join(path, i), ctx);
      if (result === undefined) {
        ok = false;
        return;
      }
      if (o.unique === true) {
        const key = JSON.stringify(result);
        const first = seen.get(key);
        if (first !== undefined) {
          ctx.add(join(path, i), element, `a value not already listed (it repeats ${join(path, first)})`);
          ok = false;
        }
        seen.set(key, i);
      }
      out.push(result);
    });
    return ok ? out : undefined;
  }
  checkLoose(value: unknown, path: string, ctx: Context): Loose<T[]> {
    if (!Array.isArray(value)) {
      ctx.add(path, value, this.allowed());
      return INVALID;
    }
    const o = this.options;
    if ((o.minItems !== undefined && value.length < o.minItems) || (o.maxItems !== undefined && value.length > o.maxItems)) {
      ctx.add(path, value, this.allowed());
    }
    return value.map((element, i) => this.item.checkLoose(element, join(path, i), ctx));
  }
  protected schema(): JsonSchema {
    const o = this.options;
    return {
      type: "array",
      items: this.item.toJsonSchema(),
      ...(o.minItems !== undefined ? { minItems: o.minItems } : {}),
      ...(o.maxItems !== undefined ? { maxItems: o.maxItems } : {}),
      ...(o.unique === true ? { uniqueItems: true } : {}),
    };
  }
  allowed(): string {
    const o = this.options;
    const count =
      o.minItems !== undefined && o.maxItems !== undefined
        ? ` with ${o.minItems} to ${o.maxItems} items`
        : o.minItems !== undefined
          ? ` with at least ${o.minItems} item${o.minItems === 1 ? "" : "s"}`
          : o.maxItems !== undefined
            ? ` with at most ${o.maxItems} items`
            : "";
    return `a list${count} of ${this.item.allowed()}`;
  }
}

export function arr<T>(item: Schema<T>, options: ArrayOptions = {}): Schema<T[]> {
  return new ArraySchema(item, options);
}

/** A map with free-form keys (e.g. tags). */
class RecordSchema<T> extends Schema<Record<string, T>> {
  constructor(
    private readonly key: Schema<string>,
    private readonly value: Schema<T>,
    private readonly maxEntries?: number,
  ) {
    super();
  }
  check(value: unknown, path: string, ctx: Context): Record<string, T> | undefined {
    if (!isPlainObject(value)) {
      ctx.add(path, value, this.allowed());
      return undefined;
    }
    let ok = true;
    const entries = Object.entries(value);
    if (this.maxEntries !== undefined && entries.length > this.maxEntries) {
      ctx.addDescribed(path, `${entries.length} entries`, `at most ${this.maxEntries} entries`);
      ok = false;
    }
    const out: Record<string, T> = {};
    for (const [k, v] of entries) {
      const keyOk = this.key.check(k, join(path, k), ctx) !== undefined;
      const result = this.value.check(v, join(path, k), ctx);
      if (!keyOk || result === undefined) ok = false;
      else out[k] = result;
    }
    return ok ? out : undefined;
  }
  protected schema(): JsonSchema {
    const key = this.key.toJsonSchema();
    return {
      type: "object",
      propertyNames: key,
      additionalProperties: this.value.toJsonSchema(),
      ...(this.maxEntries !== undefined ? { maxProperties: this.maxEntries } : {}),
    };
  }
  allowed(): string {
    return `a map of keys (${this.key.allowed()}) to values (${this.value.allowed()})`;
  }
}

export function record<T>(key: Schema<string>, value: Schema<T>, maxEntries?: number): Schema<Record<string, T>> {
  return new RecordSchema(key, value, maxEntries);
}

// ---------------------------------------------------------------------------------------------- objects

type Kind = "required" | "optional" | "default" | "absent";

export interface Field<T, K extends Kind> {
  readonly kind: K;
  readonly schema: Schema<T>;
  readonly default?: T;
}

/** A field that must be present. */
export function required<T>(schema: Schema<T>): Field<T, "required"> {
  return { kind: "required", schema };
}

/** A field that may be absent (then `undefined`). */
export function optional<T>(schema: Schema<T>): Field<T, "optional"> {
  return { kind: "optional", schema };
}

/** Refuses any value: the field belongs to another variant of a tagged union. */
class AbsentSchema extends Schema<never> {
  constructor(private readonly reason: string) {
    super();
  }
  check(value: unknown, path: string, ctx: Context): undefined {
    ctx.add(path, value, this.reason);
    return undefined;
  }
  protected schema(): JsonSchema {
    return { not: {}, description: this.reason };
  }
  allowed(): string {
    return this.reason;
  }
}

/** A field that must not be set here (e.g. a `new`-only field on an `existing` cluster); `reason` is the allowed text. */
export function absent(reason: string): Field<never, "absent"> {
  return { kind: "absent", schema: new AbsentSchema(reason) };
}

/** A field that takes `value` when absent. */
export function withDefault<T>(schema: Schema<T>, value: T): Field<T, "default"> {
  return { kind: "default", schema, default: value };
}

/** What a section's schema yields for an empty object: its defaults, written once (in the fields). */
export function sectionDefault<T>(schema: Schema<T>): T {
  const value = schema.check({}, "", new Problems());
  if (value === undefined) throw new Error("a config section's defaults do not validate");
  return value;
}

/** An optional section whose default is what its own fields default to (see {@link sectionDefault}). */
export function withSectionDefault<T>(schema: Schema<T>): Field<T, "default"> {
  return withDefault(schema, sectionDefault(schema));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a field of any value type; InferFields recovers each one
type Fields = Record<string, Field<any, Kind>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type InferFields<F extends Fields> = Simplify<
  { readonly [K in keyof F as F[K] extends Field<unknown, "optional" | "absent"> ? never : K]: F[K] extends Field<infer T, Kind> ? T : never } & {
    readonly [K in keyof F as F[K] extends Field<unknown, "optional" | "absent"> ? K : never]?: F[K] extends Field<infer T, Kind> ? T : never;
  }
>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

class ObjectSchema<F extends Fields> extends Schema<InferFields<F>> {
  constructor(readonly fields: F) {
    super();
  }
  check(value: unknown, path: string, ctx: Context): InferFields<F> | undefined {
    if (!isPlainObject(value)) {
      ctx.add(path, value, this.allowed());
      return undefined;
    }
    let ok = true;
    const known = Object.keys(this.fields);
    for (const key of Object.keys(value)) {
      if (!(key in this.fields)) {
        ctx.add(join(path, key), value[key], `no such field here; known fields: ${known.join(", ")}${didYouMean(key, known)}`);
        ok = false;
      }
    }
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(this.fields)) {
      const v = value[key];
      if (v === undefined || v === null) {
        if (field.kind === "required") {
          ctx.add(join(path, key), undefined, `a required field: ${field.schema.allowed()}`);
          ok = false;
        } else if (field.kind === "default") {
          out[key] = structuredClone(field.default);
        }
        continue;
      }
      const result: unknown = field.schema.check(v, join(path, key), ctx);
      if (result === undefined) ok = false;
      else out[key] = result;
    }
    return ok ? (out as InferFields<F>) : undefined;
  }
  checkLoose(value: unknown, path: string, ctx: Context): Loose<InferFields<F>> {
    if (!isPlainObject(value)) {
      ctx.add(path, value, this.allowed());
      return INVALID;
    }
    const known = Object.keys(this.fields);
    for (const key of Object.keys(value)) {
      if (!(key in this.fields)) ctx.add(join(path, key), value[key], `no such field here; known fields: ${known.join(", ")}`);
    }
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(this.fields)) {
      const v = value[key];
      if (v === undefined || v === null) {
        if (field.kind === "required") {
          ctx.add(join(path, key), undefined, "a required field");
          out[key] = INVALID;
        } else if (field.kind === "default") out[key] = structuredClone(field.default);
        continue;
      }
      out[key] = field.schema.checkLoose(v, join(path, key), ctx);
    }
    return out as Loose<InferFields<F>>;
  }
  protected schema(): JsonSchema {
    const properties: Record<string, JsonSchema> = {};
    const req: string[] = [];
    for (const [key, field] of Object.entries(this.fields)) {
      const s = field.schema.toJsonSchema();
      properties[key] = field.kind === "default" ? { ...s, default: field.default } : s;
      if (field.kind === "required") req.push(key);
    }
    return { type: "object", properties, ...(req.length > 0 ? { required: req } : {}), additionalProperties: false };
  }
  allowed(): string {
    return `an object with fields ${Object.keys(this.fields).join(", ")}`;
  }
}

export function obj<F extends Fields>(fields: F): Schema<InferFields<F>> {
  return new ObjectSchema(fields);
}

/** One of several object shapes, chosen by the string field `tag` (e.g. `type: local | s3`). */
class TaggedUnionSchema<T> extends Schema<T> {
  constructor(
    private readonly tag: string,
    private readonly variants: Record<string, Schema<unknown>>,
  ) {
    super();
  }
  check(value: unknown, path: string, ctx: Context): T | undefined {
    const names = Object.keys(this.variants);
    if (!isPlainObject(value)) {
      ctx.add(path, value, this.allowed());
      return undefined;
    }
    const tagValue = value[this.tag];
    if (typeof tagValue !== "string" || !(tagValue in this.variants)) {
      const allowed = `one of ${names.map((n) => JSON.stringify(n)).join(", ")}`;
      ctx.add(join(path, this.tag), tagValue, tagValue === undefined || tagValue === null ? `a required field: ${allowed}` : allowed);
      return undefined;
    }
    return this.variants[tagValue].check(value, path, ctx) as T | undefined;
  }
  checkLoose(value: unknown, path: string, ctx: Context): Loose<T> {
    const tagValue = isPlainObject(value) ? value[this.tag] : undefined;
    if (typeof tagValue !== "string" || !(tagValue in this.variants)) return (this.check(value, path, ctx) ?? INVALID) as Loose<T>;
    return this.variants[tagValue].checkLoose(value, path, ctx) as Loose<T>;
  }
  protected schema(): JsonSchema {
    return { oneOf: Object.values(this.variants).map((v) => v.toJsonSchema()) };
  }
  allowed(): string {
    return `an object whose "${this.tag}" is one of ${Object.keys(this.variants).join(", ")}`;
  }
}

export function taggedUnion<V extends Record<string, Schema<unknown>>>(tag: string, variants: V): Schema<Infer<V[keyof V]>> {
  return new TaggedUnionSchema(tag, variants);
}
