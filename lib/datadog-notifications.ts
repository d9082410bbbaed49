/**
 * Datadog notification handles, shared by the Cloud SIEM rules (case notifications), the Log Explorer monitors and the
 * config file. Source: Datadog docs "Notifications" (https://docs.datadoghq.com/monitors/notify/#notifications):
 * `@<email>`, and `@<integration>-<name>` for Slack, PagerDuty, Opsgenie, webhooks, Microsoft Teams, Jira,
 * ServiceNow and Workflow Automation.
 */

/** A handle this project accepts: an integration handle of a known integration, or an e-mail address. */
export const NOTIFICATION_HANDLE =
  /^@((slack|pagerduty|opsgenie|webhook|teams|jira|servicenow|workflow)-[A-Za-z0-9][A-Za-z0-9_./|-]*|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})$/;

/** What {@link NOTIFICATION_HANDLE} allows, in words. */
export const NOTIFICATION_HANDLE_ALLOWED =
  "@slack-<channel>, @pagerduty-<service>, @opsgenie-<team>, @webhook-<name>, @teams-<channel>, @jira-<project>, @servicenow-<name>, @workflow-<id> or @<email address>";
