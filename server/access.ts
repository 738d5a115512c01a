import type { Caller, Role } from "./apiKeys.ts";
import { forbidden } from "./errors.ts";

/**
 * Object-level access rules, in one place so every route applies the same ones:
 * - customers and associates see only their own threads (a customer's across all its keys, an
 *   associate's across its store);
 * - managers and admins may read every thread (supervision, escalation queues);
 * - only a manager resumes an escalation (a run with `command.resume`);
 * - only admins rewrite thread state directly or act on others' threads beyond reading;
 * - only admin and ml export data.
 * Objects a caller may not see are reported as 404, so their existence does not leak.
 */
const SUPERVISORS: Role[] = ["manager", "admin"];

export interface OwnedThread {
  owner: string;
}

export const canSeeThread = (c: Caller, t: OwnedThread) => t.owner === c.principal || SUPERVISORS.includes(c.role);

/** Start runs with new input, patch metadata, delete, cancel. */
export const canWriteThread = (c: Caller, t: OwnedThread) => t.owner === c.principal || c.role === "admin";

/** Cancel a run: its owner, an admin, or a manager (who may stop a stuck escalation). */
export const canCancelOn = (c: Caller, t: OwnedThread) => canWriteThread(c, t) || c.role === "manager";

export function assertCanResume(c: Caller): void {
  if (c.role !== "manager") throw forbidden("Only a manager may resume an escalation.");
}

export function assertCanUpdateState(c: Caller): void {
  if (c.role !== "admin") throw forbidden("Only an admin may update thread state directly.");
}

export function assertCanExport(c: Caller): void {
  if (c.role !== "admin" && c.role !== "ml") throw forbidden("Only admin and ml keys may export data.");
}

/** Any caller can hold conversations except ml, whose keys are for exports and evaluation reads. */
export function assertCanConverse(c: Caller): void {
  if (c.role === "ml") throw forbidden("ml keys are read-only (exports); use a customer, associate, manager or admin key.");
}
