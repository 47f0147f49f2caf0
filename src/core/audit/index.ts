export { AuditLog, AuditLogError, type AuditReadResult } from './auditLog';
export { defaultAuditFilePath } from './auditPath';
export {
  type AuditRecord,
  type AuditRecordInput,
  type AuditOutcome,
  type AuditPhase,
  type AuditStep,
  currentUser,
  currentHost,
  isAuditRecord,
} from './record';
export { PruneJournal, type PruneAuditBase, type PruneEnd, type RunningPrune } from './pruneJournal';
export { historyLines, readNotes, type EngineFinding } from './historyText';
export { AUDIT_FORMAT } from './auditFormat';
export { pruneHistory, checkAgainstEngine, ranOn, NO_END_RECORD, type PruneEntry, type PruneStatus, type EngineCheck } from './pruneHistory';
export { redact } from './redact';
