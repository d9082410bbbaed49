export * from "./checks";
export * from "./apply";
export * from "./secret-scan";
