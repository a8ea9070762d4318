/**
 * A branch office: one simulated CallManager (optionally a standby one), N phones on their own loopback
 * addresses, one clock and one transport, and a typed scenario API on top ("1001 calls 1002; 1001 presses
 * CallBack; 1002 hangs up after 20 s"). Used by tests, the demo and the benchmarks.
 *
 * With a ManualClock over real TCP, `advance(ms)` moves simulated time in steps and waits for the network
 * to settle between steps, so an hour of a 500-phone branch runs in seconds of wall time.
 */
import { type BusySignal, SimCallManager, type SimCallManagerOptions, type SimLineConfig } from "./callManager.js";
import { ManualClock, RealClock } from "./clock.js";
import type { ForwardData } from "./dialect.js";
import { SimError } from "./errors.js";
import { DEFAULT_MODEL_MIX } from "./models.js";
import { MemoryNetwork, type SimNetwork, TcpNetwork } from "./network.js";
import { macFromIp, SimPhone } from "./phone.js";
import { SeededRandom } from "./random.js";
import type { FrameOutput, SynthOptions } from "./synth.js";
import { SyntheticCapture } from "./synth.js";
import type { SimClock, SimGeneration, XsiServiceFactory, XsiServiceLike } from "./types.js";

/** One phone of a branch. */
export interface BranchPhoneSpec {
    /** Directory number(s), line 1 first. Default: the next free number from `firstDn`. */
    dn?: string | readonly string[];
    model?: string;
    generation?: SimGeneration;
    /** Display name of its first line. Default "<model> <dn>". */
    name?: string;
    forward?: Partial<ForwardData>;
    busyTrigger?: number;
    callBackKey?: boolean;
    timeZone?: string;
    dateTemplate?: string;
    dialMode?: "keypad" | "enbloc";
    /** Default 127.0.1.N in order. */
    ip?: string;
    mac?: string;
    /** User locale handed to the phone (and its XSI service). */
    locale?: string;
    /** Speed-dial buttons after the line buttons. */
    speedDials?: readonly { dn: string; name: string }[];
    xsi?: XsiServiceLike | XsiServiceFactory;
}

/** Options of a branch. */
export interface BranchOptions {
    /** A phone count (numbers from `firstDn`, models from a seeded mix) or explicit specs. */
    phones: number | readonly BranchPhoneSpec[];
    /** "tcp" (real sockets on loopback, default) or "memory" (no sockets; needs the manual clock). */
    transport?: "tcp" | "memory";
    /** "manual" (default), "real", or a clock instance. */
    clock?: "manual" | "real" | SimClock;
    /** Acceleration of the real clock. Default 1. */
    speed?: number;
    /** CallManager options (address, timers, busy signal, ...). */
    cm?: Omit<SimCallManagerOptions, "network" | "clock" | "devices">;
    /** Adds a standby CallManager (127.0.0.2 by default) with the same devices. */
    standby?: boolean;
    /** First number of generated phones. Default 1001. */
    firstDn?: number;
    /** Seed of the model mix. Default 1. */
    seed?: number;
    /** Models generated phones are drawn from. */
    models?: readonly string[];
    /** Mirror every connection into this capture output (synthesised frames of what each side sends). */
    tap?: FrameOutput;
    /** Options of the mirror capture. */
    tapOptions?: SynthOptions;
    /** Pause between dialled digits. Default 0. */
    interDigitMs?: number;
    /** Messages kept per phone history. Default 200. */
    history?: number;
    /** Manual clock over TCP: timers within this window run before the network settles. Default 0. */
    quantumMs?: number;
    /** Phones register this many at a time at start. Default 50. */
    registerBatch?: number;
    busySignal?: BusySignal;
}

/** Totals of protocol errors across the branch. */
export interface BranchErrors {
    cm: number;
    phones: number;
    details: string[];
}

/** The loopback address of the i-th phone (0-based): 127.0.1.1, 127.0.1.2, ... 127.0.2.1 after 254. */
export function phoneAddress(i: number): string {
    return `127.0.${1 + Math.floor(i / 254)}.${1 + (i % 254)}`;
}

/** A running branch office. */
export class Branch {
    readonly clock: SimClock;
    readonly network: SimNetwork;
    readonly cm: SimCallManager;
    readonly standby: SimCallManager | null;
    readonly phones: SimPhone[] = [];
    readonly tap: SyntheticCapture | null;
    readonly #byKey = new Map<string, SimPhone>();
    readonly #quantum: number;
    readonly #interDigitMs: number;
    readonly #specs: BranchPhoneSpec[];

    private constructor(opts: BranchOptions) {
        const transport = opts.transport ?? "tcp";
        const c = opts.clock ?? "manual";
        this.clock = c === "manual" ? new ManualClock() : c === "real" ? new RealClock({ speed: opts.speed ?? 1 }) : c;
        this.tap = opts.tap === undefined ? null : new SyntheticCapture(opts.tap, opts.tapOptions);
        if (transport === "memory") {
            if (!(this.clock instanceof ManualClock)) {
                throw new SimError("SIM_MEMORY_NEEDS_MANUAL_CLOCK", "the memory transport runs on a manual clock");
            }
            this.network = new MemoryNetwork(this.clock, { tap: this.tap });
        } else {
            const net = new TcpNetwork(this.clock);
            net.tap = this.tap;
            this.network = net;
        }
        this.#quantum = opts.quantumMs ?? 0;
        this.#interDigitMs = opts.interDigitMs ?? 0;
        this.#specs = expandSpecs(opts);
        const devices = this.#specs.map((s, i) => deviceOf(s, i));
        const cmOpts = { ...opts.cm, busySignal: opts.busySignal ?? opts.cm?.busySignal };
        this.cm = new SimCallManager({ ...cmOpts, network: this.network, clock: this.clock, devices });
        this.standby = opts.standby
            ? new SimCallManager({
                  ...cmOpts,
                  host: "127.0.0.2",
                  port: opts.cm?.port ?? 0,
                  network: this.network,
                  clock: this.clock,
                  devices,
              })
            : null;
    }

    /** Starts the CallManager(s) and registers every phone. */
    static async start(opts: BranchOptions): Promise<Branch> {
        const b = new Branch(opts);
        try {
            await b.cm.start();
            await b.standby?.start();
            const cms = [b.cm.address];
            if (b.standby !== null) cms.push(b.standby.address);
            b.#createPhones(cms, opts);
            const batch = opts.registerBatch ?? 50;
            for (let i = 0; i < b.phones.length; i += batch) {
                const group = b.phones.slice(i, i + batch);
                // every phone of the batch settles before a failure is reported, so none is left half started
                const started = Promise.allSettled(group.map((p) => p.start())).then((results) => {
                    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
                    if (failed !== undefined) throw failed.reason;
                });
                // On a manual clock, registration needs the clock to move (memory deliveries, keepalives).
                await b.#until(started);
            }
        } catch (err) {
            // A phone that cannot start (e.g. its XSI service without xmllint) must not leave the CallManager
            // listening and the other phones connected: the caller never gets a Branch to stop.
            await b.stop().catch(() => undefined);
            throw err;
        }
        return b;
    }

    /**
     * Builds and registers a branch synchronously: memory transport on a manual clock only (benchmark
     * generators that cannot await). XSI services are not started.
     */
    static startSync(opts: Omit<BranchOptions, "transport" | "clock">): Branch {
        const b = new Branch({ ...opts, transport: "memory", clock: "manual" });
        const clock = b.clock as ManualClock;
        b.cm.startSync();
        b.standby?.startSync();
        const cms = [b.cm.address];
        if (b.standby !== null) cms.push(b.standby.address);
        b.#createPhones(cms, opts);
        for (const p of b.phones) p.begin();
        const limit = clock.now() + 600_000;
        let pending = b.phones.length;
        for (const p of b.phones) p.once("registered", () => pending--);
        while (pending > 0) {
            if (clock.now() > limit) throw new SimError("SIM_TIMEOUT", `${pending} phones did not register`);
            clock.advance(1);
        }
        return b;
    }

    #createPhones(cms: { host: string; port: number }[], opts: BranchOptions): void {
        this.#specs.forEach((s, i) => {
            const dns = typeof s.dn === "string" ? [s.dn] : [...(s.dn ?? [])];
            const phone = new SimPhone({
                ip: s.ip ?? phoneAddress(i),
                callManagers: cms,
                model: s.model ?? "7960",
                ...(s.mac !== undefined ? { mac: s.mac } : {}),
                ...(s.generation !== undefined ? { generation: s.generation } : {}),
                ...(s.xsi !== undefined ? { xsi: s.xsi } : {}),
                ...(s.locale !== undefined ? { locale: s.locale } : {}),
                dialMode: s.dialMode ?? "keypad",
                interDigitMs: this.#interDigitMs,
                network: this.network,
                clock: this.clock,
                history: opts.history ?? 200,
            });
            this.phones.push(phone);
            this.#byKey.set(phone.deviceName, phone);
            this.#byKey.set(phone.ip, phone);
            for (const dn of dns) if (!this.#byKey.has(dn)) this.#byKey.set(dn, phone);
        });
    }

    /** Resolves `p`, moving a manual clock on (in small steps) while it is pending. */
    async #until<T>(p: Promise<T>): Promise<T> {
        let done = false;
        let failed: unknown = null;
        let value: T | undefined;
        p.then(
            (v) => {
                done = true;
                value = v;
            },
            (e: unknown) => {
                done = true;
                failed = e ?? new Error("failed");
            },
        );
        const limit = this.clock.now() + 120_000;
        while (!done) {
            await this.settle();
            if (done) break;
            if (this.clock instanceof ManualClock) {
                if (this.clock.now() > limit) throw new SimError("SIM_TIMEOUT", "branch did not finish starting");
                this.clock.advance(10);
            } else await new Promise((r) => setTimeout(r, 5));
        }
        if (failed !== null) throw failed;
        return value as T;
    }

    /** Resolves `p` (e.g. a CTI application's start), moving a manual clock on while it is pending. */
    drive<T>(p: Promise<T>): Promise<T> {
        return this.#until(p);
    }

    /** The phone with this number (line 1 first), device name or IP address. */
    phone(key: string): SimPhone {
        const p = this.#byKey.get(key);
        if (p === undefined) throw new SimError("SIM_UNKNOWN_PHONE", `no phone ${key} in this branch`, { key });
        return p;
    }

    /** Waits until every byte sent has been handled (and a manual clock's due timers ran). */
    async settle(): Promise<void> {
        for (let i = 0; i < 10_000; i++) {
            await this.network.settle();
            if (!(this.clock instanceof ManualClock) || this.clock.runUntil(this.clock.now()) === 0) return;
        }
    }

    /** Moves time on by `ms` (manual clock: stepwise with settles; real clock: waits). */
    async advance(ms: number): Promise<void> {
        const clock = this.clock;
        if (!(clock instanceof ManualClock)) {
            await new Promise((r) => setTimeout(r, ms / ((clock as RealClock).speed ?? 1)));
            await this.settle();
            return;
        }
        const end = clock.now() + ms;
        await this.settle();
        if (this.network instanceof MemoryNetwork) {
            clock.runUntil(end);
            return;
        }
        for (;;) {
            const next = clock.nextDue();
            if (next === undefined || next > end) break;
            clock.runUntil(Math.min(end, next + this.#quantum));
            await this.network.settle();
        }
        clock.runUntil(end);
        await this.settle();
    }

    /** `from` dials `to` (the scenario's "1001 calls 1002"). */
    async call(from: string, to: string, options: { after?: number } = {}): Promise<void> {
        await this.#after(options.after);
        this.phone(from).dial(to);
        await this.settle();
        if (this.#interDigitMs > 0) await this.advance(this.#interDigitMs * (to.length + 1));
    }

    /** The ringing phone answers. */
    async answer(dn: string, options: { after?: number } = {}): Promise<void> {
        await this.#after(options.after);
        this.phone(dn).answer();
        await this.settle();
    }

    /** Ends the phone's current call. */
    async hangUp(dn: string, options: { after?: number } = {}): Promise<void> {
        await this.#after(options.after);
        this.phone(dn).hangUp();
        await this.settle();
    }

    /** Presses a softkey by label. */
    async press(dn: string, labelName: string, options: { after?: number; force?: boolean } = {}): Promise<void> {
        await this.#after(options.after);
        this.phone(dn).pressSoftKey(labelName, { force: options.force === true });
        await this.settle();
    }

    /** Changes the forwarding of a number on the CallManager(s). */
    async forward(dn: string, forward: Partial<ForwardData>): Promise<void> {
        this.cm.setForward(dn, forward);
        this.standby?.setForward(dn, forward);
        await this.settle();
    }

    async #after(ms: number | undefined): Promise<void> {
        if (ms !== undefined && ms > 0) await this.advance(ms);
    }

    /** Protocol errors seen by the CallManager(s) and the phones. */
    errors(): BranchErrors {
        const details = [
            ...this.cm.errors.map((e) => `cm ${e.deviceName}: ${e.text}`),
            ...(this.standby?.errors ?? []).map((e) => `standby ${e.deviceName}: ${e.text}`),
            ...this.phones.flatMap((p) => p.errors.map((e) => `${p.deviceName}: ${e}`)),
        ];
        return {
            cm: this.cm.stats.protocolErrors + (this.standby?.stats.protocolErrors ?? 0),
            phones: this.phones.reduce((n, p) => n + p.stats.protocolErrors, 0),
            details,
        };
    }

    /** A typed scenario bound to this branch. */
    scenario(): Scenario {
        return new Scenario();
    }

    /** Runs a scenario's steps in order. */
    async play(s: Scenario): Promise<void> {
        for (const step of s.steps) await this.#step(step);
    }

    async #step(step: ScenarioStep): Promise<void> {
        await this.#after(step.after);
        switch (step.kind) {
            case "call":
                this.phone(step.dn).dial(step.arg);
                await this.settle();
                if (this.#interDigitMs > 0) await this.advance(this.#interDigitMs * (step.arg.length + 1));
                return;
            case "answer":
                return this.answer(step.dn);
            case "hangUp":
                return this.hangUp(step.dn);
            case "press":
                return this.press(step.dn, step.arg);
            case "offHook":
                this.phone(step.dn).offHook();
                return this.settle();
            case "onHook":
                this.phone(step.dn).onHook();
                return this.settle();
            case "hold":
                this.phone(step.dn).hold();
                return this.settle();
            case "resume":
                this.phone(step.dn).resume();
                return this.settle();
            case "forwardAll":
                return this.forward(step.dn, { all: step.arg });
            case "wait":
                return;
        }
    }

    /** Stops the phones (unregistering), then the CallManager(s). */
    async stop(): Promise<void> {
        await Promise.all(this.phones.map((p) => p.stop()));
        await this.settle().catch(() => undefined);
        await this.cm.stop();
        await this.standby?.stop();
        await this.settle().catch(() => undefined);
    }
}

/** One step of a scenario. */
export interface ScenarioStep {
    kind: "call" | "answer" | "hangUp" | "press" | "offHook" | "onHook" | "hold" | "resume" | "forwardAll" | "wait";
    dn: string;
    /** Called number, softkey label or forward target. */
    arg: string;
    /** Simulated ms to wait before the step. */
    after?: number;
}

/** A typed scenario builder: `new Scenario().call("1001", "1002").press("1001", "CallBack")...`. */
export class Scenario {
    readonly steps: ScenarioStep[] = [];

    #add(kind: ScenarioStep["kind"], dn: string, arg: string, after?: number): this {
        this.steps.push(after === undefined ? { kind, dn, arg } : { kind, dn, arg, after });
        return this;
    }

    /** `from` dials `to`. */
    call(from: string, to: string, o: { after?: number } = {}): this {
        return this.#add("call", from, to, o.after);
    }
    /** The phone answers. */
    answer(dn: string, o: { after?: number } = {}): this {
        return this.#add("answer", dn, "", o.after);
    }
    /** The phone hangs up. */
    hangUp(dn: string, o: { after?: number } = {}): this {
        return this.#add("hangUp", dn, "", o.after);
    }
    /** The phone presses a softkey. */
    press(dn: string, labelName: string, o: { after?: number } = {}): this {
        return this.#add("press", dn, labelName, o.after);
    }
    /** The phone goes off hook. */
    offHook(dn: string, o: { after?: number } = {}): this {
        return this.#add("offHook", dn, "", o.after);
    }
    /** The phone goes on hook. */
    onHook(dn: string, o: { after?: number } = {}): this {
        return this.#add("onHook", dn, "", o.after);
    }
    /** The phone holds its call. */
    hold(dn: string, o: { after?: number } = {}): this {
        return this.#add("hold", dn, "", o.after);
    }
    /** The phone resumes its held call. */
    resume(dn: string, o: { after?: number } = {}): this {
        return this.#add("resume", dn, "", o.after);
    }
    /** The number forwards all calls to `target` ("" cancels). */
    forwardAll(dn: string, target: string, o: { after?: number } = {}): this {
        return this.#add("forwardAll", dn, target, o.after);
    }
    /** Waits `ms` of simulated time. */
    wait(ms: number): this {
        return this.#add("wait", "", "", ms);
    }
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|min)$/;

function parseDuration(text: string): number {
    const m = DURATION.exec(text.trim());
    if (m === null) throw new SimError("SIM_SCENARIO_SYNTAX", `bad duration "${text}"`);
    const v = Number(m[1]);
    return m[2] === "ms" ? v : m[2] === "s" ? v * 1000 : v * 60_000;
}

type StepAdder = (s: Scenario, a: string, b: string, o: { after?: number }, after: number) => void;

/** The scenario language: one regular expression per step kind. */
const GRAMMAR: readonly (readonly [RegExp, StepAdder])[] = [
    [/^wait\s+(.+)$/i, (s, a, _b, _o, after) => s.wait(parseDuration(a) + after)],
    [/^(\S+)\s+calls\s+(\S+)$/i, (s, a, b, o) => s.call(a, b, o)],
    [/^(\S+)\s+answers$/i, (s, a, _b, o) => s.answer(a, o)],
    [/^(\S+)\s+hangs\s+up$/i, (s, a, _b, o) => s.hangUp(a, o)],
    [/^(\S+)\s+presses\s+(\S+)$/i, (s, a, b, o) => s.press(a, b, o)],
    [/^(\S+)\s+goes\s+off\s*hook$/i, (s, a, _b, o) => s.offHook(a, o)],
    [/^(\S+)\s+goes\s+on\s*hook$/i, (s, a, _b, o) => s.onHook(a, o)],
    [/^(\S+)\s+holds$/i, (s, a, _b, o) => s.hold(a, o)],
    [/^(\S+)\s+resumes$/i, (s, a, _b, o) => s.resume(a, o)],
    [/^(\S+)\s+forwards\s+all\s+to\s+(\S+)$/i, (s, a, b, o) => s.forwardAll(a, b, o)],
    [/^(\S+)\s+cancels\s+forward(?:ing)?$/i, (s, a, _b, o) => s.forwardAll(a, "", o)],
];

/**
 * Parses the scenario language, one step per line or per ";" (blank lines and # comments ignored):
 * `1001 calls 1002`, `1002 answers`, `1002 hangs up`, `1001 presses CallBack`, `1001 goes off hook`,
 * `1001 goes on hook`, `1001 holds`, `1001 resumes`, `1002 forwards all to 1003`, `wait 5s`, and any step
 * prefixed with `after 20s` (or suffixed with `after 20s`).
 */
export function parseScenario(text: string): Scenario {
    const s = new Scenario();
    const parts = text
        .split(/[\n;]/)
        .map((l) => l.replace(/#.*$/, "").trim())
        .filter((l) => l !== "");
    for (const raw of parts) {
        let line = raw;
        let after: number | undefined;
        const pre = /^after\s+(\S+)\s*,?\s+(.*)$/i.exec(line);
        if (pre !== null) {
            after = parseDuration(pre[1] as string);
            line = pre[2] as string;
        }
        const post = /^(.*?)\s+after\s+(\S+(?:\s*(?:ms|s|min))?)$/i.exec(line);
        if (post !== null && DURATION.test((post[2] as string).trim())) {
            after = parseDuration(post[2] as string);
            line = post[1] as string;
        }
        const o = after === undefined ? {} : { after };
        let matched = false;
        for (const [re, step] of GRAMMAR) {
            const m = re.exec(line);
            if (m === null) continue;
            step(s, m[1] as string, m[2] ?? "", o, after ?? 0);
            matched = true;
            break;
        }
        if (!matched) throw new SimError("SIM_SCENARIO_SYNTAX", `cannot read scenario step "${raw}"`, { step: raw });
    }
    return s;
}

function expandSpecs(opts: BranchOptions): BranchPhoneSpec[] {
    const first = opts.firstDn ?? 1001;
    if (typeof opts.phones !== "number") {
        let next = first;
        return opts.phones.map((s) => (s.dn === undefined ? { ...s, dn: String(next++) } : s));
    }
    const rand = new SeededRandom(opts.seed ?? 1);
    const mix = opts.models ?? DEFAULT_MODEL_MIX;
    const out: BranchPhoneSpec[] = [];
    for (let i = 0; i < opts.phones; i++) out.push({ dn: String(first + i), model: rand.pick(mix) });
    return out;
}

function deviceOf(s: BranchPhoneSpec, i: number): import("./callManager.js").SimDeviceConfig {
    const dns = typeof s.dn === "string" ? [s.dn] : [...(s.dn ?? [])];
    const ip = s.ip ?? phoneAddress(i);
    const mac = (s.mac ?? macFromIp(ip)).toUpperCase();
    const model = s.model ?? "7960";
    const lines: SimLineConfig[] = dns.map((dn, k) => ({
        dn,
        name: k === 0 && s.name !== undefined ? s.name : `${model} ${dn}`,
        ...(k === 0 && s.forward !== undefined ? { forward: s.forward } : {}),
        ...(k === 0 && s.busyTrigger !== undefined ? { busyTrigger: s.busyTrigger } : {}),
    }));
    return {
        deviceName: `SEP${mac}`,
        lines,
        ...(s.callBackKey !== undefined ? { callBackKey: s.callBackKey } : {}),
        ...(s.speedDials !== undefined ? { speedDials: s.speedDials } : {}),
        ...(s.timeZone !== undefined ? { timeZone: s.timeZone } : {}),
        ...(s.dateTemplate !== undefined ? { dateTemplate: s.dateTemplate } : {}),
    };
}
