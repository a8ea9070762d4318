/**
 * Child of the power-loss test (test/store/powerLoss.test.ts) and soak (scripts/soak-power-loss.mjs):
 * loads the A/B slots in `argv[2]`, then activates call-backs in a loop, persisting each through the
 * coalescing SnapshotWriter over real fsync'd files, and prints each request id once it is durable.
 * The cluster knowledge (its own slot pair, the same write budget) changes too, with each activation and
 * on its own, written in the background:
 * generation k of it has 1 + k % 40 devices, every one last seen at k, so a reader can tell a whole
 * knowledge state from a torn one. Uses the compiled dist/ modules so it starts fast. Runs until killed.
 */
import { writeSync } from "node:fs";
import { NodeFlashFs } from "../../dist/store/flashFs.js";
import { decodeKnowledge, encodeKnowledge, KNOWLEDGE_FORMAT } from "../../dist/store/knowledgeCodec.js";
import { KNOWLEDGE_SLOT_NAMES, SlotStore } from "../../dist/store/slots.js";
import { decodePayload, encodeSnapshot, FORMAT_PROTOBUF } from "../../dist/store/snapshotCodec.js";
import { SnapshotWriter, WriteBudget } from "../../dist/store/snapshotWriter.js";

const dir = process.argv[2];
if (dir === undefined) {
    // Run directly (e.g. `tap test/store/`): not a test by itself.
    console.log("1..0 # SKIP the child of test/store/powerLoss.test.ts (needs a state directory argument)");
    process.exit(0);
}
/** Requests kept from before the restart (older ones count as served/cancelled, so the state stays small). */
const KEEP = 20;

const store = new SlotStore(new NodeFlashFs(dir));
const loaded = await store.load();
const content =
    loaded.record === null
        ? {
              engine: {
                  version: 1,
                  seq: 0,
                  now: 0,
                  generation: 0,
                  durable: 0,
                  requests: [],
                  offers: [],
                  callees: [],
                  alarms: [],
              },
              session: 0,
              outboxAckedEseq: 0,
          }
        : decodePayload(loaded.record.formatVersion, loaded.record.payload);
const state = content.engine;
state.requests = state.requests.slice(-KEEP);
const kstore = new SlotStore(new NodeFlashFs(dir), Date.now, KNOWLEDGE_SLOT_NAMES);
const kloaded = await kstore.load();
let kgen = kloaded.record === null ? 0 : (decodeKnowledge(kloaded.record.payload).devices[0]?.lastSeen ?? 0);
let knowledge = null;

/** Knowledge generation k (see above). */
function knowledgeAt(k) {
    const devices = [];
    for (let i = 0; i <= k % 40; i++) {
        const dn = String(2000 + i);
        devices.push({
            key: `SEP00AA0000${dn}`,
            name: `SEP00AA0000${dn}`,
            mac: null,
            ip: `10.1.2.${i + 1}`,
            stationIp: null,
            deviceType: 7,
            firmware: null,
            protocolVersion: null,
            cmProtocolVersion: null,
            keepAliveS: 30,
            secondaryKeepAliveS: null,
            dateTemplate: "D.M.Y",
            userName: null,
            serverName: null,
            homeCm: "10.1.0.10:2000",
            mode: "callstate",
            template: 1,
            sets: null,
            clock: null,
            learnedBy: "registration",
            learnedAt: k,
            lastSeen: k,
            lines: [
                {
                    instance: 1,
                    dn,
                    dnSource: "linestat",
                    displayName: null,
                    label: null,
                    forwarding: null,
                    learnedAt: k,
                },
            ],
        });
    }
    return {
        templates: [{ id: 1, events: [1, 42], labels: ["Redial", "CallBack"], codes: [1, 65] }],
        sets: [],
        callManagers: [{ address: "10.1.0.10:2000", template: 1, sets: null, learnedAt: k }],
        devices,
    };
}

function learn() {
    kgen++;
    knowledge = knowledgeAt(kgen);
    kwriter.persistLater(2);
}

const budget = new WriteBudget(1e9);
const writer = new SnapshotWriter(
    store,
    { snapshot: () => ({ formatVersion: FORMAT_PROTOBUF, payload: encodeSnapshot(content) }) },
    { budget },
);
const kwriter = new SnapshotWriter(
    kstore,
    { snapshot: () => ({ formatVersion: KNOWLEDGE_FORMAT, payload: encodeKnowledge(knowledge) }) },
    { budget },
);

// stdout is a pipe: writeSync puts the line in the kernel before the next step, so a SIGKILL cannot lose it.
writeSync(1, "ready\n");

/** One activation, as the engine records it. */
function activate() {
    const seq = ++state.seq;
    const now = Date.now();
    state.now = now;
    state.generation++;
    const dn = String(1000 + (seq % 100));
    state.requests.push({
        id: `cb-${seq}`,
        seq,
        caller: { device: `SEP0011223344${dn}`, name: null, ip: "10.1.1.103", line: 1, dn, model: "Cisco 7962" },
        calledDn: "2002",
        trigger: "busy",
        heard: "busy",
        createdAt: now,
        activeSince: now,
        expiresAt: now + 3_600_000,
        phase: "waiting",
        suspended: false,
        generation: state.generation,
        reply: null,
        replaces: null,
        calleeInUseSeen: true,
        callerUnregisteredAt: null,
        notifiedAt: null,
        notifyPhoneTime: null,
        delivery: null,
    });
    return `cb-${seq}`;
}

for (let round = 0; ; round++) {
    // Bursts of 1-3 activations share writes (coalescing); each is acknowledged only once durable.
    const burst = 1 + (round % 3);
    const acks = [];
    for (let i = 0; i < burst; i++) {
        const id = activate();
        learn();
        acks.push(writer.persist().then(() => writeSync(1, `${id}\n`)));
    }
    // a registration between activations
    if (round % 2 === 0) learn();
    await Promise.all(acks);
}
