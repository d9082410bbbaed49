/** Entry point of `npm run --silent review` (see tools/review/review.ts); kept apart so importing review.ts runs nothing. */
import { main } from "./review";

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
