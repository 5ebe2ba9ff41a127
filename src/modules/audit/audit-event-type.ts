/** Every kind of event the audit trail records (filterable with `?event=`). */
export const AUDIT_EVENT_TYPES = [
  'login.succeeded',
  'login.failed',
  'logout',
  'refresh_token.reused',
  'session.revoked',
  'password.changed',
  'password.reset_requested',
  'password.reset',
  'email.verification_sent',
  'email.verified',
  'email.change_requested',
  'email.changed',
  'user.role_changed',
  'user.disabled',
  'user.enabled',
  'account.deleted',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];
