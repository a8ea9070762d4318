/** The management plane and watchers on the in-repo fake broker (no Mosquitto needed). */
import { FakeBroker, type FakeBrokerOptions } from "../../../src/mqtt/fakeBroker.js";
import type { LinkOptions } from "../../../src/mqtt/link.js";
import { Watcher } from "./broker.js";
import { startPlane, type TestPlane } from "./service.js";

/** A fake broker with helpers bound to it. */
export function fakeBroker(options: FakeBrokerOptions = {}) {
    const broker = new FakeBroker(options);
    return {
        broker,
        /** A Watcher on the fake broker. */
        watch: (topics: string[], o: LinkOptions = {}): Promise<Watcher> =>
            Watcher.connect(broker.url, topics, o, broker.connector),
        /** A management plane on the fake broker (see startPlane). */
        plane: (overrides: Parameters<typeof startPlane>[1] = {}): Promise<TestPlane> =>
            startPlane(broker.url, { connector: broker.connector, ...overrides }),
    };
}
