export * from "./log-explorer";
export * from "./queries";
export * from "./sites";
export * from "./dashboard";
export * from "./validation";
