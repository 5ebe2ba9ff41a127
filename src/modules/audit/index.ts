/** Public surface of the audit module (see eslint.config.js). */
export { AuditModule } from './audit.module.js';
export { AuditService, type AuditRecord } from './audit.service.js';
export { AUDIT_EVENT_TYPES, type AuditEventType } from './audit-event-type.js';
export { AuditEvent } from './entities/audit-event.entity.js';
