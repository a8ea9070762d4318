/**
 * The election, pure: which box of a site is active. Every box computes the same ordering from the
 * announcements it sees (priority, then address numerically, then node id) and decides only its own role,
 * so no vote is needed. The seed's rule is "the lowest IP address is active, the next lowest its backup";
 * ours adds what Cisco's lacked: a newcomer takes over only once it holds the active's state (a safe point),
 * a box never promotes itself without the broker, and two actives resolve to the first in the ordering.
 */
import { isIP } from "node:net";
import { CallbackdError } from "../errors.js";

/** A box's role. "standby": decodes the wire and holds the replicated state, but does not act. */
export type Role = "active" | "standby";

/** What a box announces about itself (and what the others use to order it). */
export interface Member {
    node: string;
    /** IPv4 or IPv6 address used for the ordering. */
    address: string;
    /** Lower comes first; equal priorities are ordered by address. */
    priority: number;
    role: Role;
    /** Replication term: goes up by one whenever a box becomes active. */
    term: number;
    /** Sequence number of the last state this box published (active) or applied (standby). */
    seq: number;
    /** Set by an active stepping down for a better box. */
    handoverTo: string | null;
}

/** An address that cannot be ordered. */
export class RedundancyError extends CallbackdError {}

/**
 * Numeric key of an address: IPv6 as a 128-bit number, IPv4 as its IPv4-mapped IPv6 form
 * (::ffff:a.b.c.d), so both families order on one line.
 */
export function addressKey(address: string): bigint {
    const family = isIP(address);
    if (family === 4) return (0xffffn << 32n) | ipv4(address);
    if (family === 6) return ipv6(address);
    throw new RedundancyError("REDUNDANCY_BAD_ADDRESS", `not an IP address: ${JSON.stringify(address)}`, { address });
}

function ipv4(a: string): bigint {
    let n = 0n;
    for (const part of a.split(".")) n = (n << 8n) | BigInt(Number(part));
    return n;
}

function ipv6(a: string): bigint {
    let text = a.split("%")[0] ?? a;
    let tail: bigint | null = null;
    // an embedded IPv4 tail (::ffff:10.0.0.1) counts as its last two groups
    const dot = text.lastIndexOf(".");
    if (dot >= 0) {
        const colon = text.lastIndexOf(":");
        tail = ipv4(text.slice(colon + 1));
        text = `${text.slice(0, colon + 1)}0:0`;
    }
    const [head = "", rest] = text.split("::");
    const left = head === "" ? [] : head.split(":");
    const right = rest === undefined || rest === "" ? [] : rest.split(":");
    const groups = rest === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
    let n = 0n;
    for (const g of groups) n = (n << 16n) | BigInt(Number.parseInt(g, 16));
    return tail === null ? n : (n & ~0xffffffffn) | tail;
}

/** The site's ordering: priority, then address, then node id (a tie-break for misconfigured twins). */
export function compareMembers(a: Member, b: Member): number {
    if (a.priority !== b.priority) return a.priority - b.priority;
    const ka = addressKey(a.address);
    const kb = addressKey(b.address);
    if (ka !== kb) return ka < kb ? -1 : 1;
    return a.node < b.node ? -1 : a.node > b.node ? 1 : 0;
}

/** (term, seq) of a member compared: which state is newer. */
export function compareProgress(a: Pick<Member, "term" | "seq">, b: Pick<Member, "term" | "seq">): number {
    return a.term !== b.term ? a.term - b.term : a.seq - b.seq;
}

/** What the box sees when it decides. */
export interface ElectionInput {
    self: Member;
    /** The other boxes that are online and whose announcement is fresh. */
    peers: readonly Member[];
    /** Connected to the broker. Without it a box keeps its role and never promotes itself. */
    connected: boolean;
    /** Connected long enough to have heard the other boxes' retained announcements. */
    settled: boolean;
    /** Active only: nothing half done (no activation waiting for durability, no push in flight). */
    safePoint: boolean;
    /** Standby only: waited long enough for state newer than its own; promote even if a peer claims more. */
    syncWaitOver: boolean;
}

/** The decision for this box. */
export type ElectionDecision =
    | { action: "stay"; reason: string; splitBrain: boolean }
    | { action: "promote"; term: number; reason: string }
    | { action: "demote"; handoverTo: string | null; reason: string; splitBrain: boolean }
    | { action: "wait"; reason: string };

/** Decides this box's role from what it sees. */
export function decide(input: ElectionInput): ElectionDecision {
    const { self, peers } = input;
    if (!input.connected)
        return { action: "stay", reason: "broker not connected: keeping the role", splitBrain: false };
    if (!input.settled) return { action: "stay", reason: "settling after connecting", splitBrain: false };
    const ordered = [self, ...peers].sort(compareMembers);
    const first = ordered[0] as Member;
    const actives = peers.filter((p) => p.role === "active");

    if (self.role === "active") {
        if (actives.length > 0) {
            // two actives: the first of them in the ordering stays
            const winner = [self, ...actives].sort(compareMembers)[0] as Member;
            if (winner !== self) {
                return {
                    action: "demote",
                    handoverTo: winner.node,
                    reason: `two actives: ${winner.node} comes first`,
                    splitBrain: true,
                };
            }
            return { action: "stay", reason: "two actives: this box comes first", splitBrain: true };
        }
        if (first !== self && first.role === "standby" && compareProgress(first, self) >= 0) {
            if (!input.safePoint)
                return { action: "wait", reason: `handing over to ${first.node} at the next safe point` };
            return {
                action: "demote",
                handoverTo: first.node,
                reason: `${first.node} comes first and holds the state`,
                splitBrain: false,
            };
        }
        return { action: "stay", reason: "active", splitBrain: false };
    }

    if (actives.length > 0) return { action: "stay", reason: `standby for ${actives[0]?.node}`, splitBrain: false };
    if (first !== self) return { action: "stay", reason: `standby: ${first.node} comes first`, splitBrain: false };
    const ahead = peers.filter((p) => compareProgress(p, self) > 0);
    if (ahead.length > 0 && !input.syncWaitOver) {
        return { action: "wait", reason: `waiting for the state ${ahead[0]?.node} has seen` };
    }
    const term = Math.max(self.term, ...peers.map((p) => p.term)) + 1;
    return { action: "promote", term, reason: "no active box and this box comes first" };
}
