/** The real MQTT link: mqtt.js behind the port of link.ts. */
import mqtt, { type IClientOptions, type ISubscriptionMap, type MqttClient } from "mqtt";
import type {
    LinkEvents,
    LinkOptions,
    LinkWill,
    MqttConnector,
    MqttLink,
    PublishOptions,
    SubscribeOptions,
} from "./link.js";

/** An mqtt.js client as an MqttLink; `client` is there for tests that must reach the socket. */
export class MqttJsLink implements MqttLink {
    readonly client: MqttClient;

    constructor(client: MqttClient, noDelay = false) {
        this.client = client;
        if (noDelay) {
            client.on("connect", () => {
                const stream = client.stream as { setNoDelay?: (on: boolean) => void };
                stream.setNoDelay?.(true);
            });
        }
    }

    get connected(): boolean {
        return this.client.connected;
    }

    on<E extends keyof LinkEvents>(event: E, listener: LinkEvents[E]): this {
        // the port's events are mqtt.js's, with narrower packet types
        this.client.on(event, listener as never);
        return this;
    }

    async publishAsync(topic: string, payload: Buffer | string, options: PublishOptions): Promise<void> {
        await this.client.publishAsync(topic, payload, options);
    }

    async subscribeAsync(subscriptions: Record<string, SubscribeOptions>): Promise<void> {
        await this.client.subscribeAsync(subscriptions as ISubscriptionMap);
    }

    async unsubscribeAsync(filters: string[]): Promise<void> {
        await this.client.unsubscribeAsync(filters);
    }

    setWill(will: LinkWill | undefined): void {
        if (will === undefined) delete this.client.options.will;
        else this.client.options.will = will;
    }

    endAsync(force = false): Promise<void> {
        return this.client.endAsync(force);
    }
}

/** The real connector (`mqtt.connect`). */
export const connectMqtt: MqttConnector = (url, options: LinkOptions) => {
    const { noDelay, ...rest } = options;
    const clientOptions: IClientOptions = rest;
    return new MqttJsLink(mqtt.connect(url, clientOptions), noDelay === true);
};
