// A global setup that does nothing: for a nested jest run (the `npm run generate` flow test) whose suites need no
// compiled app, so the copy skips jest-global-setup.js's build.
module.exports = async () => {};
