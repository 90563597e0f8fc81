/** The public face of monitor/fleet/: the pure decisions of a fleet of nodes sharing one store. */

export { DEFAULT_SITE, ownerLabel, owners, rendezvousWeight, streamKey } from "./rendezvous.ts";
export type { FleetNode, FleetStream, Owners } from "./rendezvous.ts";
export {
  createLease,
  DEFAULT_SAFETY_MS,
  fleetLease,
  LeaseConfigError,
  liveNodes,
  validateLeaseConfig,
} from "./lease.ts";
export type { Lease, LeaseConfig, LeaseConfigProblem, LeaseStatus, NodeRow } from "./lease.ts";
export { handover } from "./handover.ts";
export type { Handover } from "./handover.ts";
export { createMembership } from "./membership.ts";
export type {
  Membership,
  MembershipDeps,
  MembershipHealth,
  MembershipQuery,
  MembershipSql,
} from "./membership.ts";
export { mergeRemote } from "./remote.ts";
export type { RemoteMerge, RemoteStatus } from "./remote.ts";
export { createOwnership } from "./ownership.ts";
export type { FreshState, Ownership, OwnershipDeps } from "./ownership.ts";
export { assignStreams } from "./assign.ts";
export type { AssignedStream } from "./assign.ts";
export { createMirror } from "./mirror.ts";
export type { Mirror, MirrorDeps, MirrorRow } from "./mirror.ts";
export { createFleetNode } from "./node.ts";
export type { FleetHealth, FleetMonitor, FleetNodeDeps, FleetRuntime } from "./node.ts";
export { createShare } from "./share.ts";
export type { Share, ShareStep } from "./share.ts";
