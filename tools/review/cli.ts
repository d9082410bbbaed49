/** Entry point of `npm run --silent review` (see tools/review/review.ts); kept apart so importing review.ts runs nothing. */
import { main } from "./review";

process.exitCode = main(process.argv.slice(2));
