export * from "./datadog-forwarder";
export * from "./filter-patterns";
export * from "./forwarder-template";
export * from "../../lib/datadog-tags";
