/**
 * The webview's end of the dashboard protocol. Posts messages to the host, gives every request a
 * fresh id and routes what the host sends: a reply (`inReplyTo`) resolves the request waiting for
 * it, and a reply nobody waits for is dropped; any other message goes to the one handler
 * registered for its type.
 */
import {
  dispatch,
  isHostMessage,
  isReply,
  type GraphMessage,
  type Handlers,
  type HostMessage,
  type Replies,
  type RequestArgs,
  type RequestType,
  type WebviewMessage,
  type WebviewRequest,
} from '../src/shared/dashboard-protocol';

/** Host messages that arrive unasked (graphs only ever answer a request). */
export type HostNotification = Exclude<HostMessage, GraphMessage>;
export type HostNotificationHandlers = Handlers<HostNotification>;

/** Webview messages that expect no reply. */
export type WebviewNotification = Exclude<WebviewMessage, WebviewRequest>;

export interface PendingRequest<T extends RequestType> {
  requestId: number;
  /** Resolves with the host's reply, a result or an error; stays pending if none ever comes. */
  reply: Promise<Replies[T]>;
}

export class HostChannel {
  private lastId = 0;
  private readonly waiting = new Map<number, (m: HostMessage) => void>();

  constructor(private readonly post: (m: WebviewMessage) => void) {}

  notify(m: WebviewNotification): void {
    this.post(m);
  }

  request<T extends RequestType>(type: T, args: RequestArgs<T>): PendingRequest<T> {
    const requestId = ++this.lastId;
    const reply = new Promise<Replies[T]>((resolve) => this.waiting.set(requestId, resolve as (m: HostMessage) => void));
    this.post({ ...args, type, requestId } as WebviewRequest);
    return { requestId, reply };
  }

  /** A message event's data: validated, then routed. */
  receive(data: unknown, handlers: HostNotificationHandlers): void {
    if (!isHostMessage(data)) return;
    if (isReply(data)) {
      const resolve = this.waiting.get(data.inReplyTo);
      this.waiting.delete(data.inReplyTo);
      resolve?.(data);
      return;
    }
    dispatch(handlers, data);
  }
}
