/**
 * Power loss, for real: a child process activates call-backs in a loop (test/store/powerLossChild.mjs,
 * real fsync'd files) and prints each request id once the writer has acknowledged it durable. It is killed
 * with SIGKILL at random moments; after each kill the slots must hold a valid snapshot containing every id
 * acknowledged before the kill. The same loop runs 1,000+ times in scripts/soak-power-loss.mjs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import type { KnowledgeSnapshot } from "../../src/cluster/knowledge.js";
import { NodeFlashFs } from "../../src/store/flashFs.js";
import { decodeKnowledge } from "../../src/store/knowledgeCodec.js";
import { KNOWLEDGE_SLOT_NAMES, SlotStore } from "../../src/store/slots.js";
import { decodePayload } from "../../src/store/snapshotCodec.js";

/**
 * Rounds in `npm test` (the soak script runs 1,000+): each is a child process start, so this is what the
 * test costs. POWER_LOSS_ROUNDS changes it.
 */
const ROUNDS = Number(process.env.POWER_LOSS_ROUNDS ?? 25);
/** Fixed by default (the same kill points every run), printed, and overridable to explore others. */
const SEED = Number(process.env.POWER_LOSS_SEED ?? 20_261_127);
const root = join(import.meta.dirname, "../..");
const child = join(import.meta.dirname, "powerLossChild.mjs");
const built = existsSync(join(root, "dist/store/snapshotWriter.js"));
const skip = built ? false : "dist/ is missing: run `npm run build` first (npm test does it via pretest)";

/** Deterministic random (xorshift32), so a failing seed can be replayed with POWER_LOSS_SEED. */
function rng(seed: number): () => number {
    let x = seed >>> 0 || 1;
    return () => {
        x ^= x << 13;
        x >>>= 0;
        x ^= x >>> 17;
        x ^= x << 5;
        x >>>= 0;
        return x / 0x1_0000_0000;
    };
}

/** Why the knowledge read back is not one whole generation of the child's (see powerLossChild.mjs), or null. */
function tornKnowledge(k: KnowledgeSnapshot): string | null {
    const gen = k.devices[0]?.lastSeen;
    if (gen === undefined) return "knowledge without devices";
    if (k.devices.length !== 1 + (gen % 40)) return `knowledge ${gen}: ${k.devices.length} devices`;
    if (k.devices.some((d) => d.lastSeen !== gen || d.lines[0]?.learnedAt !== gen)) return `knowledge ${gen}: mixed`;
    if (k.callManagers[0]?.learnedAt !== gen) return `knowledge ${gen}: its CallManager from another generation`;
    return null;
}

interface Round {
    acked: string[];
    ready: boolean;
}

/**
 * When a round's child is killed: `early` — `delayMs` after it was spawned (start-up and load); otherwise once
 * it has acknowledged `afterAcks` requests, and then `turns` event-loop turns later. The child keeps writing
 * meanwhile, so the SIGKILL lands at any point of its write cycle, yet every round is sure to have
 * acknowledged requests to lose — whatever the machine's speed (a wall-clock delay after "ready" killed
 * most rounds before their first acknowledgement on a loaded machine).
 */
type Kill = { early: true; delayMs: number } | { early: false; afterAcks: number; turns: number };

/** Starts the child, kills it as `kill` says, returns what it acknowledged. */
function runOnce(dir: string, kill: Kill): Promise<Round> {
    return new Promise((resolve, reject) => {
        const proc: ChildProcess = spawn(process.execPath, [child, dir], { stdio: ["ignore", "pipe", "inherit"] });
        let out = "";
        let ready = false;
        let timer: NodeJS.Timeout | null = null;
        let killing = false;
        const later = (turns: number) => {
            if (turns <= 0) proc.kill("SIGKILL");
            else setImmediate(() => later(turns - 1));
        };
        if (kill.early) timer = setTimeout(() => proc.kill("SIGKILL"), kill.delayMs);
        proc.stdout?.setEncoding("utf8");
        proc.stdout?.on("data", (chunk: string) => {
            out += chunk;
            if (!ready && out.startsWith("ready\n")) ready = true;
            if (!kill.early && !killing && out.split("\n").length - 2 >= kill.afterAcks) {
                killing = true;
                later(kill.turns);
            }
        });
        proc.on("error", reject);
        // "close" waits for stdout to drain: every line the child wrote before the kill is in `out`.
        proc.on("close", (code, signal) => {
            if (timer !== null) clearTimeout(timer);
            if (signal !== "SIGKILL") reject(new Error(`child ended by itself (code ${code}, signal ${signal})`));
            const lines = out.split("\n");
            // A torn last line cannot happen (one write per line), but only complete lines count.
            lines.pop();
            resolve({ acked: lines.filter((l) => l !== "ready"), ready });
        });
    });
}

t.test(
    `SIGKILL at random points, ${ROUNDS} times: every acknowledged request survives, knowledge is whole`,
    { skip },
    async (t) => {
        const dir = mkdtempSync(join(tmpdir(), "callbackd-powerloss-"));
        t.teardown(() => rmSync(dir, { recursive: true, force: true }));
        const random = rng(SEED);
        t.comment(`seed ${SEED} (replay with POWER_LOSS_SEED=${SEED}; rounds: POWER_LOSS_ROUNDS)`);
        let totalAcked = 0;
        let promised = 0;
        let lastGeneration = 0n;
        let failures = 0;
        for (let round = 0; round < ROUNDS; round++) {
            // Mostly while activating (after 1-8 acknowledgements, 0-3 loop turns later); one round in ten
            // during start-up and load.
            const early = random() < 0.1;
            const kill: Kill = early
                ? { early: true, delayMs: Math.floor(random() * 60) }
                : { early: false, afterAcks: 1 + Math.floor(random() * 8), turns: Math.floor(random() * 4) };
            const { acked, ready } = await runOnce(dir, kill);
            totalAcked += acked.length;
            const problems: string[] = [];
            if (!kill.early) {
                promised += kill.afterAcks;
                if (acked.length < kill.afterAcks) problems.push(`killed after ${acked.length} acknowledgements`);
            }
            const loaded = await new SlotStore(new NodeFlashFs(dir)).load();
            if (loaded.quarantined.length > 0) problems.push(`torn slot moved aside: ${loaded.quarantined.join(", ")}`);
            if (acked.length > 0 && loaded.record === null) problems.push("no snapshot after acknowledgements");
            const ids = new Set<string>();
            if (loaded.record !== null) {
                if (loaded.record.generation < lastGeneration) problems.push("the snapshot went back in time");
                lastGeneration = loaded.record.generation;
                try {
                    const content = decodePayload(loaded.record.formatVersion, loaded.record.payload);
                    for (const r of content.engine.requests) ids.add(r.id);
                } catch (err) {
                    problems.push(`invalid payload: ${(err as Error).message}`);
                }
            }
            const knowledge = await new SlotStore(new NodeFlashFs(dir), Date.now, KNOWLEDGE_SLOT_NAMES).load();
            if (knowledge.quarantined.length > 0)
                problems.push(`torn knowledge slot: ${knowledge.quarantined.join(", ")}`);
            if (knowledge.record !== null) {
                try {
                    const torn = tornKnowledge(decodeKnowledge(knowledge.record.payload));
                    if (torn !== null) problems.push(torn);
                } catch (err) {
                    problems.push(`invalid knowledge: ${(err as Error).message}`);
                }
            }
            const lost = acked.filter((id) => !ids.has(id));
            if (lost.length > 0) problems.push(`lost ${lost.length} acknowledged: ${lost.slice(0, 5).join(", ")}`);
            // One assertion per bad round keeps the rounds readable; the summary below always counts.
            if (problems.length > 0) {
                failures++;
                t.fail(`round ${round} (${JSON.stringify(kill)}, ${ready ? "running" : "starting"})`, { problems });
            }
        }
        t.equal(failures, 0, `${ROUNDS} kills, ${totalAcked} acknowledged requests, none lost`);
        t.ok(totalAcked >= promised, "every kill while activating landed after its acknowledgements");
        t.same(
            readdirSync(dir).filter((f) => !/^(state|knowledge)\./.test(f) || f.includes(".corrupt-")),
            [],
            "only slots (and at most a temp file) in the state directory",
        );
    },
);
