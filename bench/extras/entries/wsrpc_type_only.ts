/**
 * Browser entry for the bundle-size row: a wsrpc client typed from the
 * contract's type alone (`import type`, so no zod), one call and one
 * subscription.
 *
 * @module
 */

import { createClient } from "@wsrpc/core/client";
import type { jsonApi } from "../../systems/wsrpc/api.ts";

const client = createClient<typeof jsonApi>({ url: "ws://localhost:8000/rpc" });
console.log(await client.echo({ a: 1, s: "hello" }));
for await (const event of client.events({ n: 3 })) console.log(event);
client.close();
