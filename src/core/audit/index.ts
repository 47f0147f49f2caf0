export { AuditLog, AuditLogError, type AuditReadResult } from './auditLog';
export {
  type AuditRecord,
  type AuditRecordInput,
  type AuditOutcome,
  currentUser,
  currentHost,
  isAuditRecord,
} from './record';
export { redact } from './redact';
