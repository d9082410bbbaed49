import { Writable } from "stream";

/** A writable stream that keeps what is written to it, for the CLIs' `stdout`/`stderr` in in-process tests. */
export function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join("") };
}
