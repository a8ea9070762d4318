/** In-process boxes for the redundancy link's tests: a RedundancyManager each, with a small fake service. */
import { MemoryLogger } from "../../../src/logging/memory.js";
import type { MqttConnector } from "../../../src/mqtt/link.js";
import type { Role } from "../../../src/redundancy/election.js";
import { RedundancyManager, type RedundantService } from "../../../src/redundancy/manager.js";
import type { Clock } from "../../../src/util/clock.js";

export const SITE = "branch1";

/** A service that records what the manager asks of it. */
export class FakeBox implements RedundantService {
    role: Role = "standby";
    state = "";
    safe = true;
    readonly changes: string[] = [];
    readonly applied: string[] = [];
    setRole(role: Role, reason: string): void {
        this.role = role;
        this.changes.push(`${role}: ${reason}`);
    }
    replicaPayload(): Uint8Array {
        return Buffer.from(this.state);
    }
    applyReplica(format: number, payload: Uint8Array): void {
        if (format !== 2) throw new Error("format");
        this.state = Buffer.from(payload).toString();
        this.applied.push(this.state);
    }
    atSafePoint(): boolean {
        return this.safe;
    }
    knowledge = "";
    readonly knowledgeApplied: string[] = [];
    knowledgePayload(): Uint8Array {
        return Buffer.from(this.knowledge);
    }
    applyKnowledge(payload: Uint8Array): void {
        this.knowledgeApplied.push(Buffer.from(payload).toString());
    }
}

export interface Box {
    fake: FakeBox;
    mgr: RedundancyManager;
    alarms: string[];
    log: MemoryLogger;
}

/** Where the boxes connect: a broker URL, and the fake broker's connector and clock when not a real one. */
export interface BoxSite {
    url: string;
    connector?: MqttConnector;
    clock?: Clock;
}

/** The MQTT client id of a box's redundancy link. */
export const linkId = (node: string): string => `callbackd-${SITE}-${node}-redundancy`;

/** Starts a box: heartbeat 100 ms, stale after 600 ms and settle 250 ms unless told. */
export function box(
    site: BoxSite,
    node: string,
    address: string,
    extra: { priority?: number; settleMs?: number; staleAfterMs?: number } = {},
): Box {
    const fake = new FakeBox();
    const alarms: string[] = [];
    const log = new MemoryLogger({ level: "debug" });
    const mgr = new RedundancyManager({
        site: SITE,
        node,
        address,
        priority: extra.priority ?? 100,
        heartbeatMs: 100,
        staleAfterMs: extra.staleAfterMs ?? 600,
        settleMs: extra.settleMs ?? 250,
        url: `http://${address}:8080`,
        broker: { url: site.url },
        service: fake,
        onAlarm: (id, action, details) => alarms.push(`${action} ${id}: ${details}`),
        logger: log,
        ...(site.connector === undefined ? {} : { connector: site.connector }),
        ...(site.clock === undefined ? {} : { clock: site.clock }),
    });
    mgr.start();
    return { fake, mgr, alarms, log };
}
