/**
 * The engine's effects on phones: a screen or a notification becomes a ticket in the phone HTTP service and
 * a CiscoIPPhoneExecute push with the ticket's URL; a phone's Cancel/OK comes back as a PhoneAction input
 * and the engine's answer is the HTTP reply. Pushes are withheld in observe mode and to phones without XML
 * services. Every push outcome goes back into the engine as a PushResult. Both adapters come in through
 * their ports (phonePorts.ts).
 */
import type { EngineDeviceView } from "../callback/ports.js";
import type { EngineInput, NotifyEffect, ShowScreenEffect } from "../callback/types.js";
import type { Config } from "../config/types.js";
import { describeError } from "../errors.js";
import type { Logger } from "../logging/logger.js";
import type { BoxAction, NextScreen, Ticket } from "../phone/http.js";
import type { PhoneTime } from "../phone/phoneTime.js";
import type { PushOutcome } from "../phone/push.js";
import { buildExecute, type ExecuteItem, playUri } from "../phone/xsi.js";
import type { PhoneHttpFactory, PhoneHttpPort, PushFactory, PushPort } from "./phonePorts.js";
import type { ServiceCounters } from "./serviceApi.js";

/** What the phone effects need of the rest of the service. */
export interface PhoneEffectsHost {
    /** Feeds a phone's action or a push outcome into the engine. */
    input(input: EngineInput): void;
    /** Only the active box acts on phones. */
    readonly active: boolean;
    /** After stop, push outcomes go nowhere. */
    readonly stopped: boolean;
    /** Whether a request made by this reply waits for durability to answer it (OK on "already active"). */
    awaitsDurability(reply: string): boolean;
    /** The engine's view of a device (its XSI capability). */
    device(key: string): EngineDeviceView | null;
    /** A device's name and model as the cluster model knows them. */
    identity(key: string): { name: string | null; model: string | null } | null;
}

export interface PhoneEffectsOptions {
    host: PhoneEffectsHost;
    phones: Config["phones"];
    /** callback.mode observe: decide and report, push nothing. */
    observe: boolean;
    push: PushFactory;
    http: PhoneHttpFactory;
    counters: ServiceCounters;
    log: Logger;
}

type PushCode = PushOutcome["code"] | "PUSH_NOT_CONFIGURED";

export class PhoneEffects {
    readonly http: PhoneHttpPort;
    readonly #host: PhoneEffectsHost;
    readonly #makePush: PushFactory;
    #push: PushPort | null;
    #phones: Config["phones"];
    /** Push clients replaced by a configuration change, closed once their pushes in flight are done. */
    readonly #retired = new Set<PushPort>();
    /** Pushes in flight per client (to close a replaced client once its last push is done). */
    readonly #inFlight = new Map<PushPort, number>();
    #pushesInFlight = 0;
    readonly #replies = new Map<string, (screen: NextScreen) => void>();
    #replySeq = 0;
    readonly #observe: boolean;
    /** The twinkle's audio file, as configured at start (not a live key). */
    readonly #audio: string;
    readonly #counters: ServiceCounters;
    readonly #log: Logger;

    constructor(o: PhoneEffectsOptions) {
        this.#host = o.host;
        this.#observe = o.observe;
        this.#audio = o.phones.audioFileName;
        this.#counters = o.counters;
        this.#log = o.log;
        this.#makePush = o.push;
        this.http = o.http({
            onAction: (ticket, action) => this.#onPhoneAction(ticket, action),
            onRequest: (i) => {
                if (i.status >= 400) this.#log.warn(i, "phone request refused");
            },
        });
        this.#push = o.push(o.phones);
        this.#phones = o.phones;
    }

    /** The push client (null without phones.pushUser/pushPassword). */
    get push(): PushPort | null {
        return this.#push;
    }

    /** Pushes sent whose outcome is not known yet. */
    get pushesInFlight(): number {
        return this.#pushesInFlight;
    }

    /**
     * Takes new push credentials or a new push URL at once (they are live keys): later pushes use them;
     * pushes already in flight finish with the old client, which is then closed.
     */
    configurePush(phones: Config["phones"]): void {
        const old = this.#phones;
        if (
            old.pushUser === phones.pushUser &&
            old.pushPassword === phones.pushPassword &&
            old.pushUrl === phones.pushUrl
        )
            return;
        const next = this.#makePush(phones);
        const previous = this.#push;
        this.#push = next;
        this.#phones = phones;
        if (previous !== null) {
            if (this.#inFlight.has(previous)) this.#retired.add(previous);
            else previous.close();
        }
        this.#log.info(
            { pushUser: phones.pushUser, pushUrl: phones.pushUrl, enabled: next !== null },
            "push settings changed",
        );
    }

    /** A ShowScreen effect: the answer to a phone's action, or a push (unless withheld). */
    show(e: ShowScreenEffect): void {
        if (e.why !== undefined) {
            this.#log.info({ device: e.device, screen: e.kind, dn: e.params.dn, why: e.why }, "press refused");
        }
        if (e.reply !== undefined) this.#answer(e);
        else if (this.#withhold(e.device, e.kind) === null) this.#pushScreen(e);
    }

    /** A Notify effect: the twinkle and the "available" screen, or a result at once when withheld. */
    notify(e: NotifyEffect): void {
        this.#counters.notifications++;
        const withheld = this.#withhold(e.device, "available");
        if (withheld === null) {
            this.#pushNotify(e.device, e.ip, e.dn, e.ref, e.phoneTime);
            return;
        }
        // observe: another serves the phone, the request goes on as notified; no XSI: it cannot be told
        const ok = withheld === "observe";
        const code = ok ? "PUSH_WITHHELD" : "PUSH_NOT_SUPPORTED";
        queueMicrotask(() => this.#host.input({ type: "PushResult", ref: e.ref, notify: true, ok, code }));
    }

    /** Standby: phones waiting for an answer get "Service not available.". */
    failWaiting(): void {
        for (const resolve of this.#replies.values()) resolve({ kind: "serviceUnavailable" });
        this.#replies.clear();
    }

    /** HTTP service down, push clients closed. */
    async stop(): Promise<void> {
        await this.http.stop();
        this.#push?.close();
        for (const c of this.#retired) c.close();
        this.#retired.clear();
    }

    /** A box softkey pressed on a phone: the engine decides, and answers with the next screen. */
    #onPhoneAction(ticket: Ticket, action: BoxAction): Promise<NextScreen> {
        if (!this.#host.active) return Promise.resolve({ kind: "serviceUnavailable" });
        const reply = `r${++this.#replySeq}`;
        return new Promise<NextScreen>((resolve) => {
            this.#replies.set(reply, resolve);
            this.#host.input({ type: "PhoneAction", ref: ticket.ref ?? "", action, device: ticket.device, reply });
            // A request made by this action (OK on "already active") answers once durable ("activated", or
            // "Service Failure" at the persist timeout). Otherwise an engine that did not answer (it always
            // should) must not leave the phone hanging.
            if (!this.#replies.has(reply) || this.#host.awaitsDurability(reply)) return;
            this.#replies.delete(reply);
            resolve({ kind: "requestInvalid" });
        });
    }

    #answer(e: ShowScreenEffect): void {
        const resolve = this.#replies.get(e.reply ?? "");
        if (resolve === undefined) return;
        this.#replies.delete(e.reply ?? "");
        resolve({
            kind: e.kind,
            params: e.params,
            ...(e.phoneTime !== undefined ? { phoneTime: e.phoneTime } : {}),
            actions: e.actions,
            ...(e.ref !== null ? { ref: e.ref } : {}),
        });
    }

    /**
     * Whether a push is withheld: always in observe mode (traced, counted), and to a phone that takes no XSI
     * pushes (the engine never addresses one; a request restored from an older release might).
     */
    #withhold(device: string, kind: string): "observe" | "no-xsi" | null {
        if (this.#observe) {
            this.#counters.withheld++;
            this.#log.info({ device, screen: kind }, "observe mode: screen not pushed");
            return "observe";
        }
        if (this.#host.device(device)?.xsiPush !== false) return null;
        this.#counters.withheld++;
        this.#log.warn({ device, screen: kind }, "phone takes no XSI pushes: screen not pushed");
        return "no-xsi";
    }

    #pushScreen(e: ShowScreenEffect): void {
        if (e.ip === null) {
            this.#log.warn({ device: e.device, kind: e.kind }, "no address to push the screen to");
            return;
        }
        const device = this.#host.identity(e.device);
        const { url } = this.http.issue({
            device: e.device,
            phoneIp: e.ip,
            kind: e.kind,
            params: e.params,
            ...(e.phoneTime !== undefined ? { phoneTime: e.phoneTime } : {}),
            actions: e.actions,
            ...(e.ref !== null ? { ref: e.ref } : {}),
            ...(device?.model ? { model: device.model } : {}),
        });
        this.#send(e.device, device?.name ?? nameOfKey(e.device), e.ip, [{ url, priority: 0 }], e.ref, false);
    }

    #pushNotify(deviceKey: string, ip: string | null, dn: string, ref: string, phoneTime: PhoneTime): void {
        if (ip === null) {
            this.#host.input({
                type: "PushResult",
                ref,
                notify: true,
                ok: false,
                code: "PUSH_BAD_TARGET",
                device: deviceKey,
            });
            return;
        }
        const device = this.#host.identity(deviceKey);
        const { url } = this.http.issue({
            device: deviceKey,
            phoneIp: ip,
            kind: "available",
            params: { dn },
            phoneTime,
            ref,
            ...(device?.model ? { model: device.model } : {}),
        });
        // The twinkle first, then the screen with Dial and Exit.
        this.#send(
            deviceKey,
            device?.name ?? nameOfKey(deviceKey),
            ip,
            [{ url: playUri(this.#audio) }, { url, priority: 0 }],
            ref,
            true,
        );
    }

    #send(
        deviceKey: string,
        name: string | null,
        ip: string,
        items: ExecuteItem[],
        ref: string | null,
        notify: boolean,
    ): void {
        this.#pushesInFlight++;
        const done = (outcome: { ok: boolean; code: PushCode }): void => {
            this.#pushesInFlight--;
            if (outcome.ok) this.#counters.pushOk++;
            else this.#counters.pushFailed++;
            if (this.#host.stopped) return;
            this.#host.input({
                type: "PushResult",
                ref,
                notify,
                ok: outcome.ok,
                code: outcome.code,
                device: name ?? ip,
            });
        };
        const client = this.#push;
        if (client === null) {
            this.#log.warn({ device: deviceKey }, "phones.pushUser/pushPassword not configured: cannot push");
            queueMicrotask(() => done({ ok: false, code: "PUSH_NOT_CONFIGURED" }));
            return;
        }
        let doc: ReturnType<typeof buildExecute>;
        try {
            doc = buildExecute(items);
        } catch (err) {
            this.#log.error({ error: describeError(err) }, "push object could not be built");
            queueMicrotask(() => done({ ok: false, code: "PUSH_TOO_LARGE" }));
            return;
        }
        this.#inFlight.set(client, (this.#inFlight.get(client) ?? 0) + 1);
        const settled = (): void => {
            const left = (this.#inFlight.get(client) ?? 1) - 1;
            if (left > 0) this.#inFlight.set(client, left);
            else {
                this.#inFlight.delete(client);
                if (this.#retired.delete(client)) client.close();
            }
        };
        client
            .push(
                { ip, ...(name ? { device: name } : {}), ...(name?.startsWith("SEP") ? { mac: name.slice(3) } : {}) },
                doc,
            )
            .then(
                (outcome) => {
                    settled();
                    done(outcome);
                },
                (err: unknown) => {
                    settled();
                    this.#log.error({ error: describeError(err) }, "push failed unexpectedly");
                    done({ ok: false, code: "PUSH_UNREACHABLE" });
                },
            );
    }
}

/**
 * A device key is its name ("SEP…") or "@ip" when the name is unknown. A request restored from flash may be
 * pushed before the phone has been seen again: its key still names it (for `{device}` and `{mac}` in
 * phones.pushUrl).
 */
function nameOfKey(key: string): string | null {
    return key.startsWith("@") ? null : key;
}
