export { AuditLog, AuditLogError } from './auditLog';
export { defaultAuditFilePath } from './auditPath';
export type { AuditRecord, AuditRecordInput } from './record';
export { PruneJournal, type PruneAuditBase, type PruneEnd, type RunningPrune } from './pruneJournal';
export { historyLines, readNotes, type EngineFinding } from './historyText';
export { pruneHistory, checkAgainstEngine, ranOn, NO_END_RECORD, type PruneEntry } from './pruneHistory';
export { redact } from './redact';
