/**
 * Stand-ins for the service's two phone ports (src/service/phonePorts.ts), for tests that drive the service
 * or its phone effects without HTTP: pushes are recorded and answered by the test, tickets are numbered.
 */
import type { ActionHandler, TicketRequest } from "../../src/phone/http.js";
import type { PushOutcome, PushTarget } from "../../src/phone/push.js";
import type { ExecuteDocument } from "../../src/phone/xsi.js";
import type { PhoneHttpFactory, PhoneHttpPort, PushFactory, PushPort } from "../../src/service/phonePorts.js";

/** A push port that records each push and answers when the test says. */
export class StubPush implements PushPort {
    readonly pushes: { target: PushTarget; xml: string; answer: (o: Partial<PushOutcome>) => void }[] = [];
    closed = false;
    push(target: PushTarget, execute: ExecuteDocument): Promise<PushOutcome> {
        return new Promise((resolve) => {
            this.pushes.push({
                target,
                xml: execute.xml.toString("latin1"),
                answer: (o) =>
                    resolve({
                        ok: true,
                        code: "PUSH_OK",
                        phone: target.ip,
                        attempts: 1,
                        elapsedMs: 1,
                        message: "",
                        ...o,
                    }),
            });
        });
    }
    close(): void {
        this.closed = true;
    }
}

/** An HTTP port that issues numbered tickets and keeps the action handler. */
export class StubHttp implements PhoneHttpPort {
    readonly baseUrl = "http://box";
    readonly tickets: TicketRequest[] = [];
    readonly revoked: string[] = [];
    running = false;
    constructor(readonly onAction: ActionHandler) {}
    async start(): Promise<void> {
        this.running = true;
    }
    async stop(): Promise<void> {
        this.running = false;
    }
    issue(request: TicketRequest): { token: string; url: string } {
        this.tickets.push(request);
        return { token: `t${this.tickets.length}`, url: `http://box/s/t${this.tickets.length}` };
    }
    revoke(ref: string): void {
        this.revoked.push(ref);
    }
}

/** Port factories (CallbackServiceOptions.push and .phoneHttp) that build stubs and keep them for the test. */
export class StubPorts {
    /** Every push client made, the current one last (none without a push user). */
    readonly clients: StubPush[] = [];
    #http: StubHttp | null = null;

    readonly push: PushFactory = (phones) => {
        if (phones.pushUser === null) return null;
        const c = new StubPush();
        this.clients.push(c);
        return c;
    };

    readonly phoneHttp: PhoneHttpFactory = (handlers) => {
        this.#http = new StubHttp(handlers.onAction);
        return this.#http;
    };

    /** The HTTP service made (after the service or phone effects were built). */
    get http(): StubHttp {
        if (this.#http === null) throw new Error("no phone HTTP service was built");
        return this.#http;
    }
}
