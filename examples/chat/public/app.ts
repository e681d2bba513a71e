/// <reference lib="dom" />
/**
 * The chat example's browser app, bundled by the server into `/client.js`.
 *
 * It imports only the contract's type, so zod stays out of the bundle; the
 * server validates every input anyway.
 *
 * @module
 */

import {
  type Client,
  type ConnectionState,
  createClient,
  RpcError,
  type SubscriptionGap,
  type Unsubscribable,
} from "@wsrpc/core/client";
import type { ChatApi, Cleared, Message, RoomEvent, Tick } from "../shared/api.ts";

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
const connection = element("connection", HTMLOutputElement);
const messages = element("messages", HTMLUListElement);
const notice = element("notice", HTMLParagraphElement);
const form = element("chat", HTMLFormElement);
const textInput = element("text", HTMLInputElement);
const sendButton = element("send", HTMLButtonElement);
const clearButton = element("clear", HTMLButtonElement);
const errorLine = element("error", HTMLParagraphElement);
element("me", HTMLSpanElement).textContent = AUTHOR;

const url = new URL("/rpc", location.href);
url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
const client: Client<ChatApi> = createClient<ChatApi>({ url });
client.connection.onStateChange(showConnection);

let clock: Unsubscribable | undefined;
let room: Unsubscribable | undefined;
// Join the room at once: its recent messages come from the topic's replay.
// After a lost connection the client resumes it exactly where it left off.
joinRoom();

/** Shows the room: its recent events first, then each new one. */
function joinRoom(): void {
  messages.replaceChildren();
  const left = () => room = undefined; // the next send joins again
  room = client.chat.messages({ room: ROOM }).subscribe({
    onData: showEvent,
    onGap: reloadRoom,
    onError: (error) => {
      left();
      showError(error);
    },
    onComplete: left,
  });
}

/**
 * Some events could not be replayed (the history no longer had them, say):
 * say so, and load the room afresh rather than show it with a hole.
 */
function reloadRoom(gap: SubscriptionGap): void {
  notice.textContent = `Some messages were missed (${gap.reason}), so the room was reloaded.`;
  room?.unsubscribe();
  joinRoom();
}

function showEvent(event: RoomEvent): void {
  if (event.kind === "cleared") showCleared(event);
  else showMessage(event);
}

function showMessage(message: Message): void {
  const item = document.createElement("li");
  if (message.author === AUTHOR) item.classList.add("mine");
  const author = document.createElement("strong");
  author.textContent = message.author ?? "anonymous";
  item.append(time(message.at), author, `: ${message.text}`);
  messages.append(item);
  item.scrollIntoView({ block: "nearest" });
}

/** An admin cleared the room: what came before the marker goes. */
function showCleared(cleared: Cleared): void {
  const item = document.createElement("li");
  item.classList.add("cleared");
  item.append(time(cleared.at), "An admin cleared the room.");
  messages.replaceChildren(item);
}

function time(at: Date): HTMLTimeElement {
  const element = document.createElement("time");
  element.dateTime = at.toISOString();
  element.textContent = at.toLocaleTimeString();
  return element;
}

function showTick(tick: Tick): void {
  ticks.textContent = `Tick ${tick.n}: ${tick.at.toLocaleTimeString()}`;
}

function showConnection(state: ConnectionState): void {
  connection.textContent = state === "open"
    ? "connected"
    : state === "closed"
    ? "closed"
    : "connecting…";
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
  try {
    reply.textContent = await client.hello("hello world");
    errorLine.textContent = "";
    // After the reply, the server keeps pushing its time.
    clock ??= client.ticks().subscribe({
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
  if (room === undefined) joinRoom();
  try {
    await client.chat.send({ room: ROOM, text: textInput.value, author: AUTHOR });
    textInput.value = "";
    errorLine.textContent = "";
  } catch (error) {
    showError(error);
  } finally {
    sendButton.disabled = false;
    textInput.focus();
  }
});

// Only an admin's connection may clear (the server checks its cookie); anyone
// else sees the server's "Admins only".
clearButton.addEventListener("click", async () => {
  try {
    await client.chat.clear({ room: ROOM });
    errorLine.textContent = "";
  } catch (error) {
    showError(error);
  }
});
