/// <reference lib="dom" />
/**
 * The chat example's browser app, bundled by the server into `/client.js`.
 *
 * It imports only the contract's type, so zod stays out of the bundle; the
 * server validates every input anyway.
 *
 * @module
 */

import { type Client, createClient, RpcError, type Unsubscribable } from "@wsrpc/core/client";
import type { ChatApi, Message, Tick } from "../shared/api.ts";

const ROOM = "general";
const AUTHOR = `guest-${Math.floor(1000 + Math.random() * 9000)}`;

/** Finds an element of the page by id, with the type it must have. */
function element<T extends HTMLElement>(id: string, type: { new (): T; prototype: T }): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`The page has no #${id} of the right kind`);
  return found;
}

const helloButton = element("hello", HTMLButtonElement);
const reply = element("reply", HTMLOutputElement);
const ticks = element("ticks", HTMLOutputElement);
const messages = element("messages", HTMLUListElement);
const form = element("chat", HTMLFormElement);
const textInput = element("text", HTMLInputElement);
const sendButton = element("send", HTMLButtonElement);
const errorLine = element("error", HTMLParagraphElement);
element("me", HTMLSpanElement).textContent = AUTHOR;

let client: Client<ChatApi> | undefined;
let room: Unsubscribable | undefined;
let clock: Unsubscribable | undefined;

/** The client, made on first use: that is when the WebSocket opens. */
function connect(): Client<ChatApi> {
  const url = new URL("/rpc", location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  client ??= createClient<ChatApi>({ url });
  // Join the room once connected; after a lost connection, join again.
  room ??= joinRoom(client);
  return client;
}

/** Shows the room's messages: its recent ones first, then each new one. */
function joinRoom(rpc: Client<ChatApi>): Unsubscribable {
  messages.replaceChildren();
  return rpc.chat.messages({ room: ROOM }).subscribe({
    onData: showMessage,
    onError: (error) => {
      room = undefined;
      showError(error);
    },
  });
}

function showMessage(message: Message): void {
  const item = document.createElement("li");
  if (message.author === AUTHOR) item.classList.add("mine");
  const time = document.createElement("time");
  time.dateTime = message.at.toISOString();
  time.textContent = message.at.toLocaleTimeString();
  const author = document.createElement("strong");
  author.textContent = message.author ?? "anonymous";
  item.append(time, author, `: ${message.text}`);
  messages.append(item);
  item.scrollIntoView({ block: "nearest" });
}

function showTick(tick: Tick): void {
  ticks.textContent = `Tick ${tick.n}: ${tick.at.toLocaleTimeString()}`;
}

function showError(error: unknown): void {
  if (!(error instanceof RpcError)) {
    errorLine.textContent = String(error);
    return;
  }
  const data = error.data as { issues?: Array<{ message: string }> } | undefined;
  const issue = data?.issues?.[0]?.message;
  errorLine.textContent = issue ? `${error.message}: ${issue}` : error.message;
}

helloButton.addEventListener("click", async () => {
  const rpc = connect();
  try {
    reply.textContent = await rpc.hello("hello world");
    errorLine.textContent = "";
    // After the reply, the server keeps pushing its time.
    clock ??= rpc.ticks().subscribe({
      onData: showTick,
      onError: (error) => {
        clock = undefined;
        showError(error);
      },
    });
  } catch (error) {
    showError(error);
  }
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  sendButton.disabled = true;
  try {
    await connect().chat.send({ room: ROOM, text: textInput.value, author: AUTHOR });
    textInput.value = "";
    errorLine.textContent = "";
  } catch (error) {
    showError(error);
  } finally {
    sendButton.disabled = false;
    textInput.focus();
  }
});
