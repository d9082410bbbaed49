/**
 * Runs one command of an installed package's `bin` entry: its exit code becomes the process's, and an error that
 * escapes the command is reported in one line as an internal error (exit 1), as `npm run` reports it.
 */
export function runCommand(name: string, command: () => number | Promise<number>): void {
  Promise.resolve()
    .then(command)
    .then(
      (code) => {
        process.exitCode = code;
      },
      (e: unknown) => {
        process.stderr.write(`${name}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        process.exitCode = 1;
      },
    );
}
