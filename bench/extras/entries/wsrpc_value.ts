/**
 * Browser entry for the bundle-size row: the same client as
 * wsrpc_type_only.ts, made from the contract value, so the contract's zod
 * schemas (and zod) are in the bundle.
 *
 * @module
 */

import { createClient } from "@wsrpc/core/client";
import { jsonApi } from "../../systems/wsrpc/api.ts";

const client = createClient(jsonApi, { url: "ws://localhost:8000/rpc" });
console.log(await client.echo({ a: 1, s: "hello" }));
for await (const event of client.events({ n: 3 })) console.log(event);
client.close();
