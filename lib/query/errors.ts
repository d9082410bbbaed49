/**
 * A query the engine cannot parse, or syntax it deliberately does not support. Never a silent non-match.
 *
 * `position` is a 0-based offset (UTF-16 code units) into `query`; the message repeats it, names what was found
 * there and what is allowed.
 */
export class QuerySyntaxError extends Error {
  /** 0-based offset of the offending character in `query`. */
  public readonly position: number;
  /** The query being parsed. */
  public readonly query: string;
  /** The reason alone, without the position and query (e.g. `"&&" is not supported; use AND`). */
  public readonly reason: string;

  public constructor(query: string, position: number, reason: string) {
    super(`invalid query at position ${position} (0-based): ${reason}; query: ${JSON.stringify(query)}`);
    this.name = "QuerySyntaxError";
    this.query = query;
    this.position = position;
    this.reason = reason;
  }
}
