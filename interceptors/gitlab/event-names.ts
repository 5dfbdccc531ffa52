/**
 * Every X-Gitlab-Event value GitLab documents for project, group and system webhooks
 * (https://docs.gitlab.com/user/project/integrations/webhook_events/ and system_hooks): an
 * `eventTypes` entry outside it is a `validate` warning. GitLab names the header after the hook
 * kind, titleized ("confidential_issue_hooks" → "Confidential Issue Hook"), so the confidential
 * issue and note events and milestones have their own values too.
 */
export const GITLAB_EVENT_NAMES: ReadonlySet<string> = new Set([
  "Push Hook",
  "Tag Push Hook",
  "Issue Hook",
  "Confidential Issue Hook",
  "Note Hook",
  "Confidential Note Hook",
  "Merge Request Hook",
  "Wiki Page Hook",
  "Pipeline Hook",
  "Job Hook",
  "Deployment Hook",
  "Feature Flag Hook",
  "Release Hook",
  "Milestone Hook",
  "Emoji Hook",
  "Resource Access Token Hook",
  "Member Hook",
  "Subgroup Hook",
  "Project Hook",
  "Vulnerability Hook",
  "System Hook",
]);
