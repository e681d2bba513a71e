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
  createClient,
  ErrorCode,
  RpcError,
  type SubscriptionGap,
  type Unsubscribable,
} from "@wsrpc/core/client";
import type { ChatApi, Cleared, Message, RoomEvent, Tick } from "../shared/api.ts";

const ROOM = "general";
const AUTHOR = `guest-${Math.floor(1000 + Math.random() * 9000)}`;
/** The server marks the page it serves to a browser holding the admin cookie. */
const ADMIN = document.body.dataset.role === "admin";

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
if (ADMIN) {
  element("role", HTMLSpanElement).textContent = " · admin: you may clear the room";
  clearButton.title = "Clear the room for everyone";
}

const endpoint = new URL("/rpc", location.href);
endpoint.protocol = endpoint.protocol === "https:" ? "wss:" : "ws:";
/** The connection attempt under way, as the client numbers it: 1 is the first retry. */
let attempt = 0;
const client: Client<ChatApi> = createClient<ChatApi>({
  // The client asks for the URL before every attempt, and says which one it is.
  url: (n) => {
    attempt = n;
    showConnection();
    return endpoint;
  },
  // A restarted dev server is found again within 5 s, not the default 10.
  reconnect: { maxDelay: 5_000 },
});
client.connection.onStateChange((state) => {
  // Every outage starts its count again; the first retry is attempt 1.
  if (state === "reconnecting") attempt = Math.max(attempt, 1);
  if (state === "open") attempt = 0;
  showConnection();
});
addEventListener("online", showConnection);
addEventListener("offline", showConnection);

let clock: Unsubscribable | undefined;
let room: Unsubscribable | undefined;
// Join the room at once: its recent messages come from the topic's replay, and
// the live subscription keeps the client connected (and reconnecting) from
// page load, with no click. After a lost connection the client resumes it
// exactly where it left off.
joinRoom();
showConnection();

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

/** What a gap means, as a person would say it, by its reason. */
const GAPS: Readonly<Record<string, string>> = {
  epoch: "The server lost the room's history (it restarted?)",
  trimmed: "Some messages were missed (older than the history the server keeps)",
  limit: "Some messages were missed (more than the server replays)",
};

/**
 * Some events could not be replayed (the history no longer had them, say):
 * say so, and load the room afresh rather than show it with a hole.
 */
function reloadRoom(gap: SubscriptionGap): void {
  const what = GAPS[gap.reason] ?? `Some messages were missed (${gap.reason})`;
  notice.textContent = `${what}, so the room was reloaded.`;
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

/** Says where the connection stands: connecting, connected, or offline and retrying. */
function showConnection(): void {
  const { state } = client.connection;
  const offline = navigator.onLine ? "offline" : "offline (no network)";
  connection.dataset.state = state;
  connection.textContent = state === "open"
    ? "connected"
    : state === "connecting"
    ? "connecting…"
    : state === "reconnecting"
    ? `${offline}: reconnecting (attempt ${attempt})…`
    : state === "closed"
    ? "disconnected: reload the page to connect again"
    : "not connected";
}

/** What went wrong, said for a person rather than as the wire has it. */
function describe(error: unknown): string {
  if (!(error instanceof RpcError)) return String(error);
  switch (error.code) {
    case ErrorCode.InvalidParams: {
      const issue = firstIssue(error.data);
      if (/too big/i.test(issue)) return "That message is too long: 500 characters at most.";
      if (/too small/i.test(issue)) return "Type a message first: spaces alone are not sent.";
      return issue ? `The server refused that: ${issue}` : error.message;
    }
    case ErrorCode.Forbidden:
      return `${error.message}: to clear the room, open the admin link that the server ` +
        "printed in its terminal, in this browser.";
    case ErrorCode.ConnectionLost:
      return "The connection dropped before the server answered: it may or may not have gone through.";
    case ErrorCode.Timeout:
      return "The server did not answer in time. Try again once the page says connected.";
    case ErrorCode.TooManyRequests:
      return "Slow down: that was too many at once.";
    default:
      return error.message;
  }
}

/** The message of the first validation issue in an `InvalidParams` error's data, if any. */
function firstIssue(data: unknown): string {
  if (typeof data !== "object" || data === null || !("issues" in data)) return "";
  const [issue] = Array.isArray(data.issues) ? data.issues : [];
  return typeof issue?.message === "string" ? issue.message : "";
}

function showError(error: unknown): void {
  errorLine.textContent = describe(error);
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
  const text = textInput.value.trim();
  if (text === "") {
    // The server would refuse it too (it trims, then wants a character).
    errorLine.textContent = "Type a message first: spaces alone are not sent.";
    textInput.value = "";
    textInput.focus();
    return;
  }
  sendButton.disabled = true;
  if (room === undefined) joinRoom();
  try {
    // Sent once connected: while the page is offline, it waits.
    await client.chat.send({ room: ROOM, text, author: AUTHOR });
    // Keep what was typed while it was on its way (offline, that can be a while).
    if (textInput.value.trim() === text) textInput.value = "";
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
    const hidden = await client.chat.clear({ room: ROOM });
    errorLine.textContent = "";
    notice.textContent = `You cleared the room: ${hidden} message${
      hidden === 1 ? "" : "s"
    } hidden for everyone.`;
  } catch (error) {
    showError(error);
  }
});
