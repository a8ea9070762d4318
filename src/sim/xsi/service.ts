/**
 * The XSI phone service of one simulated 79xx: an HTTP server on the phone's own address answering
 * POST /CGI/Execute like the phone's embedded web server, and the pull side (GETs of XSI objects, rendering,
 * softkeys). Behaviour and its sources: /work/shared/reference/xsi/XSI-AND-CALLBACK-REFERENCE.md §1–2;
 * choices the reference leaves open are marked [unverified] and listed in docs of XsiPhoneService.
 * The HTTP server itself (listening, failure modes before a push is read, records) is pushServer.ts.
 */

import type { IncomingMessage } from "node:http";
import { clipDurationMs, clipSize, isValidRawSize } from "./audio.js";
import { checkCredentials } from "./auth.js";
import { decodeBody, httpRequest, phoneHeaders } from "./client.js";
import { XsiSimError } from "./errors.js";
import {
    type ExecuteItemSpec,
    errorScreen,
    executeItems,
    executeRuleViolation,
    ItemAnswer,
    isDisplayable,
    type ResponseItem,
    toScreen,
    uriScheme,
    XsiError,
} from "./objects.js";
import { type Body, PushServer, Refusal } from "./pushServer.js";
import { hasXmllint, schemaOrderedXml, validateXsi } from "./schema.js";
import type {
    PushRecord,
    Screen,
    SoundEvent,
    XsiClock,
    XsiFailure,
    XsiPhoneEvent,
    XsiPhoneServiceOptions,
    XsiPhoneState,
} from "./types.js";
import { parseXml } from "./xml.js";

/** "Any HTTP POST object is limited to 512 bytes in size" (reference §1.2). */
export const MAX_PUSH_BYTES = 512;

const PHONE_EVENTS: readonly XsiPhoneEvent[] = ["idle", "busy", "ringing"];

/** Wall-clock time. */
export const realClock: XsiClock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** One GET the phone made (pull side), with the exact request headers. */
export interface FetchRecord {
    at: number;
    url: string;
    headers: Record<string, string>;
    status?: number;
    /** Network error code (ECONNREFUSED, TIMEOUT …) when no response came. */
    error?: string;
}

/** One internal URI the phone executed (Play:, Dial:, Key:, SoftKey: …). */
export interface UriRecord {
    at: number;
    url: string;
    origin: "push" | "pull" | "softkey";
}

/** An HTTP ExecuteItem dropped because of its Priority (2 while busy). */
export interface DroppedItem {
    at: number;
    url: string;
    priority: number;
}

/** Text a 79xx shows when a GET fails without an HTTP answer (approximate wording). */
function networkMessage(code: string): string {
    if (code === "TIMEOUT") return "Timeout";
    if (code === "URL" || code === "PROTOCOL") return "URL Error";
    if (code === "ECONNRESET" || code === "EPIPE") return "Connection reset";
    return "Host not found";
}

/**
 * Simulated 79xx XSI phone service. Push rules, checked in this order (first failure answers):
 * 1. failure mode on demand; 2. only `POST /CGI/Execute` (else 404), chunked body → 404, `Expect:
 * 100-continue` → Error 6; 3. Basic auth verified by the auth URL (answer exactly `AUTHORIZED`) → else Error 4;
 * 4. body ≤ 512 bytes → else Error 1; 5. form field `XML` (case-sensitive) → else Error 1; 6. well-formed XML
 * → else Error 1; 7. 1..3 ExecuteItems, at most one HTTP URL, Priority 0..2 → else Error 1 [unverified: which
 * number a phone uses for the URL-count rule]; 8. XSD via xmllint (children of displayable objects reordered
 * first, as phones accept Cisco's documented order) → else Error 1; 9. every `Play:` clip found → else Error 3
 * [unverified]. Then items run concurrently and the answer lists ResponseItems in completion order, sent once
 * all are done: `Play:` waits for ringing to end and for the clip, an HTTP URL with Priority 0 (or 1/2 while
 * idle) is fetched and shown first; Priority 1 while busy is held until idle, Priority 2 while busy dropped;
 * both still answer Success [unverified].
 */
export class XsiPhoneService {
    /** Every screen shown, in order. */
    readonly screens: Screen[] = [];
    /** File names of clips played, in order. */
    readonly sounds: string[] = [];
    /** Clips played with start time and length. */
    readonly soundLog: SoundEvent[] = [];
    /** Numbers dialled through `Dial:` (push, pulled Execute, softkey or directory entry). */
    readonly dials: string[] = [];
    /** Every request to /CGI/Execute (and other paths) with the answer. */
    readonly pushes: PushRecord[] = [];
    /** Every GET of an XSI object. */
    readonly fetches: FetchRecord[] = [];
    /** Every internal URI executed. */
    readonly uris: UriRecord[] = [];
    /** HTTP items dropped by Priority 2 while busy. */
    readonly dropped: DroppedItem[] = [];

    readonly #host: string;
    readonly #phone: XsiPhoneState;
    readonly #clock: XsiClock;
    readonly #opts: XsiPhoneServiceOptions;
    #failure: XsiFailure | undefined;
    #stack: Screen[] = [];
    readonly #background = new Set<Promise<void>>();
    #started = false;
    #stopped = false;
    #wakeUp: () => void = () => {};
    #wake: Promise<void> = this.#newWake();
    readonly #onPhoneEvent = (): void => this.notifyStateChanged();
    /** The push side's HTTP server. */
    readonly #http: PushServer;

    /** Creates the service; nothing listens until start(). */
    constructor(opts: XsiPhoneServiceOptions) {
        this.#opts = opts;
        this.#host = opts.host;
        this.#phone = opts.phone;
        const clock = opts.clock ?? realClock;
        this.#clock =
            "sleep" in clock
                ? clock
                : {
                      now: () => clock.now(),
                      sleep: (ms) => new Promise<void>((resolve) => clock.setTimer(ms, resolve)),
                  };
        this.#http = new PushServer(this.#host, opts.port ?? 80, {
            clock: this.#clock,
            pushes: this.pushes,
            failure: () => this.#failure,
            handlePush: (req, body, creds, failure) => this.#handlePush(req, body, creds, failure),
        });
    }

    /** Where the service listens (the port is the real one once started with port 0). */
    get address(): { host: string; port: number } {
        return { host: this.#host, port: this.#http.port };
    }

    /** Base URL of the service, e.g. `http://127.0.1.5:8080`. */
    get baseUrl(): string {
        return `http://${this.#host}:${this.#http.port}`;
    }

    /** The screen on display, or undefined when no XSI screen is open. */
    current(): Screen | undefined {
        return this.#stack.at(-1);
    }

    /** Number of HTTP items held until the phone is idle (Priority 1). */
    get held(): number {
        return this.#background.size;
    }

    /** Starts listening. Throws XsiSimError XSI_XMLLINT_MISSING when validation is on and xmllint is absent. */
    async start(): Promise<void> {
        if (this.#started) return;
        if (this.#opts.validate !== false && !hasXmllint())
            throw new XsiSimError("XSI_XMLLINT_MISSING", "xmllint not found: install the Debian package libxml2-utils");
        this.#stopped = false;
        this.#started = true;
        for (const e of PHONE_EVENTS) this.#phone.on?.(e, this.#onPhoneEvent);
        if (this.#failure?.kind !== "refused") await this.#http.listen();
    }

    /** Stops listening, drops open connections and abandons held items. */
    async stop(): Promise<void> {
        this.#stopped = true;
        this.#started = false;
        for (const e of PHONE_EVENTS) this.#phone.off?.(e, this.#onPhoneEvent);
        this.notifyStateChanged();
        await this.#http.close();
    }

    /** Switches a failure mode on (or off with undefined). "refused" closes the listening socket. */
    async setFailure(failure: XsiFailure | undefined): Promise<void> {
        const wasRefused = this.#failure?.kind === "refused";
        this.#failure = failure;
        if (!this.#started) return;
        if (failure?.kind === "refused" && !wasRefused) await this.#http.close();
        else if (failure?.kind !== "refused" && wasRefused) await this.#http.listen();
    }

    /** Tells the service the phone's idle/ringing state changed (wakes held items and waiting clips). */
    notifyStateChanged(): void {
        const wake = this.#wakeUp;
        this.#wake = this.#newWake();
        wake();
    }

    /** Resolves when no held item remains (they ran, or the service stopped). */
    async settled(): Promise<void> {
        while (this.#background.size > 0) await Promise.allSettled([...this.#background]);
    }

    /** GETs an XSI object as the phone does for an ExecuteItem URL, and shows it. */
    async open(url: string): Promise<Screen | undefined> {
        return this.#fetchAndShow(url, false);
    }

    /** Presses the softkey labelled `name` on the current screen. */
    async pressSoftKey(name: string): Promise<void> {
        const screen = this.#requireScreen();
        const key = screen.softKeys.find((k) => k.name === name);
        if (key === undefined)
            throw new XsiSimError("XSI_NO_SOFTKEY", `no softkey "${name}" on the current screen`, {
                softKeys: screen.softKeys.map((k) => k.name),
            });
        await this.#follow(key.url, screen);
    }

    /** Presses the softkey at `position` (1..8) on the current screen. */
    async pressSoftKeyAt(position: number): Promise<void> {
        const screen = this.#requireScreen();
        const key = screen.softKeys.find((k) => k.position === position);
        if (key === undefined)
            throw new XsiSimError("XSI_NO_SOFTKEY", `no softkey at position ${position} on the current screen`);
        await this.#follow(key.url, screen);
    }

    /** Selects line `index` (0-based) of a menu (follows its URL) or directory (dials its number). */
    async selectItem(index: number): Promise<void> {
        const screen = this.#requireScreen();
        const item = screen.items[index];
        if (item === undefined) throw new XsiSimError("XSI_NO_ITEM", `no item ${index} on the current screen`);
        if (screen.kind === "directory") this.#dial(item.value);
        else await this.#follow(item.value, screen);
    }

    // ---------------------------------------------------------------- server

    #newWake(): Promise<void> {
        return new Promise((resolve) => {
            this.#wakeUp = resolve;
        });
    }

    async #handlePush(
        req: IncomingMessage,
        body: Body,
        creds: { user: string; password: string } | undefined,
        failure: XsiFailure | undefined,
    ): Promise<ResponseItem[] | Refusal> {
        if (creds === undefined) return new Refusal(XsiError.Auth, "auth: no Basic credentials");
        if (failure?.kind === "wrongCredentials") return new Refusal(XsiError.Auth, "auth: failure wrongCredentials");
        const auth = await checkCredentials(
            this.#opts.auth,
            creds.user,
            creds.password,
            this.#phone.deviceName,
            this.#host,
        );
        if (!auth.ok) return new Refusal(XsiError.Auth, `auth: ${auth.reason}`);
        if (body.total > MAX_PUSH_BYTES)
            return new Refusal(XsiError.Parse, `size: ${body.total} bytes (at most ${MAX_PUSH_BYTES})`);
        const form = new URLSearchParams(body.buf.toString("latin1"));
        let xml = form.get("XML");
        if (xml === null) {
            const raw = decodeBody(body.buf, req.headers["content-type"]);
            if (this.#opts.acceptRawXml !== true || !raw.trimStart().startsWith("<"))
                return new Refusal(XsiError.Parse, "field: no form field XML");
            xml = raw;
        }
        return this.#execute(xml);
    }

    /** Parses, checks and runs a pushed object. */
    async #execute(xml: string): Promise<ResponseItem[] | Refusal> {
        const parsed = parseXml(xml);
        if (!parsed.ok) return new Refusal(XsiError.Parse, `parse: ${parsed.error} at ${parsed.offset}`);
        const root = parsed.root;
        const execute = root.name === "CiscoIPPhoneExecute";
        if (!execute && !isDisplayable(root.name))
            return new Refusal(XsiError.Parse, `object: ${root.name} cannot be pushed`);
        const items = execute ? executeItems(root) : [];
        const violation = execute ? executeRuleViolation(items) : undefined;
        if (violation !== undefined) return new Refusal(XsiError.Parse, `items: ${violation}`);
        if (this.#opts.validate !== false) {
            const check = await validateXsi(schemaOrderedXml(root));
            if (!check.valid) return new Refusal(XsiError.Parse, `schema: ${check.errors[0] ?? "invalid"}`);
        }
        if (!execute) {
            this.#show(toScreen(root, "push", this.#clock.now(), undefined)!, false);
            return [ItemAnswer.success("")];
        }
        const clips = new Map<string, number>();
        for (const it of items) {
            if (uriScheme(it.url) !== "Play") continue;
            const file = it.url.slice(5);
            const size = await this.#clipBytes(file);
            if (size === undefined) return new Refusal(XsiError.File, `file: Play clip ${file} not found`);
            clips.set(file, size);
        }
        return this.#runItems(items, clips, "push");
    }

    // ---------------------------------------------------------------- execution

    #clipBytes(file: string): Promise<number | undefined> {
        return clipSize(this.#opts.audio, file, this.#host, this.#opts.fetchTimeoutMs ?? 10_000);
    }

    /** Runs items concurrently; answers in completion order. */
    async #runItems(
        items: readonly ExecuteItemSpec[],
        clips: ReadonlyMap<string, number>,
        origin: UriRecord["origin"],
    ): Promise<ResponseItem[]> {
        const out: ResponseItem[] = [];
        await Promise.all(
            items.map(async (it) => {
                let ok: boolean;
                try {
                    ok = await this.#runItem(it, clips, origin);
                } catch {
                    ok = false;
                }
                out.push(ok ? ItemAnswer.success(it.url) : ItemAnswer.unsupported(it.url));
            }),
        );
        return out;
    }

    async #runItem(
        it: ExecuteItemSpec,
        clips: ReadonlyMap<string, number>,
        origin: UriRecord["origin"],
    ): Promise<boolean> {
        const scheme = uriScheme(it.url);
        // CM 4.x-era 79xx SCCP firmware fetches over plain HTTP only.
        if (scheme === "https") return false;
        if (scheme !== "http") return this.#runUri(it.url, origin, clips, undefined);
        // Priority applies to HTTP URLs only; internal URIs always run at once (reference §1.3).
        if (it.priority === 0 || this.#phone.isIdle()) await this.#fetchAndShow(it.url, false);
        else if (it.priority === 1) this.#holdUntilIdle(it.url);
        else this.dropped.push({ at: this.#clock.now(), url: it.url, priority: it.priority });
        return true;
    }

    #holdUntilIdle(url: string): void {
        const task = (async () => {
            if (await this.#waitUntil(() => this.#phone.isIdle())) await this.#fetchAndShow(url, false);
        })().catch(() => {});
        this.#background.add(task);
        void task.finally(() => this.#background.delete(task));
    }

    /** Waits until `cond` holds; false when the service stopped first. */
    async #waitUntil(cond: () => boolean): Promise<boolean> {
        const pollMs = this.#opts.statePollMs ?? 50;
        while (!this.#stopped) {
            if (cond()) return true;
            await Promise.race([this.#wake, this.#clock.sleep(pollMs)]);
        }
        return false;
    }

    /** Executes an internal URI; false when the phone cannot (unknown URI, bad argument, missing clip). */
    async #runUri(
        url: string,
        origin: UriRecord["origin"],
        clips: ReadonlyMap<string, number> | undefined,
        screen: Screen | undefined,
    ): Promise<boolean> {
        this.uris.push({ at: this.#clock.now(), url, origin });
        const colon = url.indexOf(":");
        const scheme = url.slice(0, colon);
        const arg = url.slice(colon + 1);
        switch (scheme) {
            case "Play": {
                const bytes = clips?.get(arg) ?? (await this.#clipBytes(arg));
                if (bytes === undefined) return false;
                await this.#play(arg, bytes);
                return true;
            }
            case "Dial": {
                // Newer firmware allows Dial:<number>:<options>; only the number matters here.
                const m = /^([0-9*#+]+)(:.*)?$/.exec(arg);
                if (m === null) return false;
                this.#dial(m[1]!);
                return true;
            }
            case "EditDial":
                return /^[0-9*#+]+$/.test(arg);
            case "Key":
                if (arg.length === 0) return false;
                this.#phone.pressKey?.(arg);
                return true;
            case "SoftKey":
                return this.#softKeyAction(arg, screen);
            case "QueryStringParam": {
                const base = screen?.url;
                if (base === undefined) return false;
                await this.#fetchAndShow(`${base}${base.includes("?") ? "&" : "?"}${arg}`, false);
                return true;
            }
            case "Init":
            case "RTPRx":
            case "RTPTx":
            case "RTPMRx":
            case "RTPMTx":
                return arg.length > 0;
            default:
                return false;
        }
    }

    async #softKeyAction(name: string, screen: Screen | undefined): Promise<boolean> {
        switch (name) {
            case "Exit":
                this.#stack = [];
                return true;
            case "Back":
            case "Cancel":
                this.#stack.pop();
                return true;
            case "Update": {
                const url = (screen ?? this.current())?.url;
                if (url !== undefined) await this.#fetchAndShow(url, true);
                return true;
            }
            case "Dial": {
                const s = screen ?? this.current();
                const first = s?.kind === "directory" ? s.items[0] : undefined;
                if (first !== undefined) this.#dial(first.value);
                return true;
            }
            case "Select":
            case "Submit":
            case "EditDial":
            case "Next":
            case "Search":
            case "<<":
                return true;
            default:
                return false;
        }
    }

    #dial(number: string): void {
        this.dials.push(number);
        this.#stack = [];
        this.#phone.dial(number);
    }

    /** Plays a clip: waits while the phone rings (ring and Play do not pre-empt each other), then the clip. */
    async #play(file: string, bytes: number): Promise<void> {
        if (!(await this.#waitUntil(() => !this.#phone.isRinging()))) return;
        const durationMs = clipDurationMs(bytes);
        this.sounds.push(file);
        this.soundLog.push({ at: this.#clock.now(), file, bytes, durationMs, validRaw: isValidRawSize(bytes) });
        await this.#clock.sleep(durationMs);
    }

    // ---------------------------------------------------------------- pull side

    #requireScreen(): Screen {
        const screen = this.current();
        if (screen === undefined) throw new XsiSimError("XSI_NO_SCREEN", "no XSI screen on display");
        return screen;
    }

    /** Follows a softkey or menu URL: HTTP (relative to the screen's URL) or an internal URI. */
    async #follow(url: string, screen: Screen): Promise<void> {
        if (url.length === 0) return;
        const scheme = uriScheme(url);
        if (scheme === "http" || scheme === "https" || scheme === "") {
            let abs: string;
            try {
                abs = new URL(url, screen.url).href;
            } catch {
                this.#show(errorScreen(networkMessage("URL"), this.#clock.now(), url), false);
                return;
            }
            await this.#fetchAndShow(abs, false);
            return;
        }
        await this.#runUri(url, "softkey", undefined, screen);
    }

    #show(screen: Screen, replace: boolean): Screen {
        this.screens.push(screen);
        if (replace && this.#stack.length > 0) this.#stack[this.#stack.length - 1] = screen;
        else this.#stack.push(screen);
        return screen;
    }

    async #fetchAndShow(url: string, replace: boolean): Promise<Screen | undefined> {
        const headers = phoneHeaders(
            this.#phone.modelName ?? this.#phone.model,
            this.#phone.locale,
            this.#opts.headers,
        );
        const rec: FetchRecord = { at: this.#clock.now(), url, headers };
        this.fetches.push(rec);
        const r = await httpRequest({
            url,
            headers,
            localAddress: this.#host,
            timeoutMs: this.#opts.fetchTimeoutMs ?? 10_000,
        });
        if (!r.ok) {
            rec.error = r.code;
            return this.#show(errorScreen(networkMessage(r.code), this.#clock.now(), url), replace);
        }
        rec.status = r.status;
        if (r.status !== 200)
            return this.#show(errorScreen(`HTTP Error [${r.status}]`, this.#clock.now(), url), replace);
        const ct = r.headers["content-type"];
        const parsed = parseXml(decodeBody(r.body, typeof ct === "string" ? ct : undefined));
        if (!parsed.ok) return this.#show(errorScreen("XML Parse Error", this.#clock.now(), url), replace);
        const root = parsed.root;
        if (root.name === "CiscoIPPhoneExecute") {
            // A fetched Execute runs like a pushed one, without an answer to send.
            const items = executeItems(root);
            if (executeRuleViolation(items) === undefined) await this.#runItems(items, new Map(), "pull");
            return undefined;
        }
        const screen = toScreen(root, "pull", this.#clock.now(), url);
        if (screen === undefined)
            return this.#show(errorScreen(`XML Error: ${root.name}`, this.#clock.now(), url), replace);
        if (this.#opts.validatePulled === true) screen.schemaValid = (await validateXsi(schemaOrderedXml(root))).valid;
        return this.#show(screen, replace);
    }
}

/**
 * A phone factory for `Branch`: each simulated phone gets an XsiPhoneService on its own address and `port`,
 * recorded in `into` by address (so a test or the demo can read what each phone showed and played).
 */
export function xsiPhoneFactory(
    opts: Omit<XsiPhoneServiceOptions, "host" | "phone">,
    into: Map<string, XsiPhoneService>,
): (phone: XsiPhoneState & { readonly ip: string }) => XsiPhoneService {
    return (phone) => {
        const s = new XsiPhoneService({ ...opts, host: phone.ip, phone });
        into.set(phone.ip, s);
        return s;
    };
}
