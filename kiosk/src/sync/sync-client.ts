import { io, type Socket } from 'socket.io-client';
import { KIOSK_NAMESPACE, type HubToKioskEvents, type KioskToHubEvents } from '../../../shared/events.js';
import { ApiError, type Ack } from '../../../shared/schemas/errors.js';
import { PassLeft } from '../../../shared/schemas/pass.js';
import { Policy } from '../../../shared/schemas/policy.js';
import { PushResult, VenueOccupancy } from '../../../shared/schemas/sync.js';
import { applyResults, pendingBatch, syncCounts, type SyncCounts } from '../db.js';
import { backoffDelay } from './backoff.js';

export type Connection = 'connecting' | 'online' | 'offline' | 'unauthorized';

export interface SyncStatus extends SyncCounts {
  connection: Connection;
  lastSyncAt?: number;
  lastError?: ApiError;
}

const BATCH_SIZE = 100;
/** An acknowledgement slower than this is treated as lost; the batch is resent (idempotent). */
const ACK_TIMEOUT_MS = 20_000;

type KioskSocket = Socket<HubToKioskEvents, KioskToHubEvents>;

/**
 * Drains the IndexedDB outbox to the hub over socket.io, oldest first, in
 * batches. A record leaves the outbox only on the hub's acknowledgement; a
 * lost ack, a refused batch or a dropped connection means the batch is resent
 * later, and the hub recognises what it already has.
 */
export class SyncClient extends EventTarget {
  private socket: KioskSocket;
  private flushing = false;
  private again = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private _status: SyncStatus = { connection: 'connecting', pending: 0, synced: 0, rejected: 0 };

  private readonly onPolicy: (policy: Policy) => Promise<void>;
  private readonly onOccupancy: (occupancy: VenueOccupancy) => void;
  private readonly onPassLeft: (left: PassLeft) => void;
  /** The policy version the kiosk enforces, so an older push (a stale hub) is not applied over it. */
  private policyVersion: number;

  /**
   * @param options.onPolicy applies a policy the hub pushed (stores it); the
   *   kiosk acknowledges the version only after it has.
   * @param options.onOccupancy receives the venue's count per entrance.
   * @param options.onPassLeft receives each "I have left" of a pass of the venue (issue 5).
   * @param options.leftSince the hub time of the last one handled, read at every (re)connect.
   * @param options.policyVersion the version the kiosk enforces now.
   * @param options.url the hub's origin; the page's own by default.
   */
  constructor(
    token: string,
    options: {
      onPolicy?: (policy: Policy) => Promise<void>;
      onOccupancy?: (o: VenueOccupancy) => void;
      onPassLeft?: (left: PassLeft) => void;
      leftSince?: () => number | undefined;
      policyVersion?: number;
      url?: string;
    } = {},
  ) {
    super();
    this.onPolicy = options.onPolicy ?? (async () => undefined);
    this.onOccupancy = options.onOccupancy ?? (() => undefined);
    this.onPassLeft = options.onPassLeft ?? (() => undefined);
    const leftSince = options.leftSince ?? (() => undefined);
    this.policyVersion = options.policyVersion ?? 0;
    const url = options.url ?? '';
    this.socket = io(`${url}${KIOSK_NAMESPACE}`, {
      // A function, so every reconnect sends the cursor as it is then.
      auth: (cb) => {
        const since = leftSince();
        cb(since === undefined ? { token } : { token, leftSince: since });
      },
      autoConnect: false,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 30_000,
      randomizationFactor: 0.5,
    });
    this.socket.on('connect', () => {
      this.attempt = 0;
      this.update({ connection: 'online' });
      void this.flush();
    });
    this.socket.on('disconnect', () => {
      // Packets buffered while offline would be sent on reconnect beside our own resend.
      this.socket.sendBuffer = [];
      this.update({ connection: 'offline' });
    });
    this.socket.on('policy:update', (raw: unknown) => void this.applyPolicy(raw));
    this.socket.on('occupancy:venue', (raw: unknown) => {
      const parsed = VenueOccupancy.safeParse(raw);
      if (parsed.success) this.onOccupancy(parsed.data);
    });
    this.socket.on('pass:left', (raw: unknown) => {
      const parsed = PassLeft.safeParse(raw);
      if (parsed.success) this.onPassLeft(parsed.data);
    });
    this.socket.on('connect_error', (err: Error & { data?: ApiError }) => {
      if (err.data?.code === 'unauthorized') {
        this.update({ connection: 'unauthorized', lastError: err.data });
        return; // socket.io does not retry a refusal by the server; neither do we
      }
      this.update({ connection: 'offline' });
      // A refusal for another reason (hub busy): socket.io gives up, so retry ourselves.
      if (!this.socket.active) this.retryLater(() => this.socket.connect());
    });
  }

  get status(): SyncStatus {
    return this._status;
  }

  start(): void {
    void this.refreshCounts();
    this.socket.connect();
  }

  stop(): void {
    clearTimeout(this.retryTimer);
    this.socket.disconnect();
  }

  /**
   * The signed pass behind a typed code, if the hub is reachable and answers
   * within `timeoutMs`; undefined otherwise (the door never waits on the network).
   */
  async lookupPass(key: { code: string; minute: number }, timeoutMs = 2000): Promise<string | undefined> {
    if (!this.socket.connected) return undefined;
    try {
      const res = await this.socket.timeout(timeoutMs).emitWithAck('pass:lookup', key);
      return res.ok && typeof res.data?.signed === 'string' ? res.data.signed : undefined;
    } catch {
      return undefined;
    }
  }

  /** Call after saving a record: sends it now if the hub is reachable. */
  notify(): void {
    void this.refreshCounts();
    void this.flush();
  }

  private async applyPolicy(raw: unknown): Promise<void> {
    const parsed = Policy.safeParse(raw);
    if (!parsed.success) {
      this.update({ lastError: { code: 'invalid', message: `policy from the hub refused: ${parsed.error.message}` } });
      return;
    }
    if (parsed.data.version >= this.policyVersion) {
      await this.onPolicy(parsed.data);
      this.policyVersion = parsed.data.version;
    }
    // Acknowledge what the kiosk enforces, which the hub shows the street office.
    this.socket.emit('policy:ack', { version: this.policyVersion }, () => undefined);
  }

  private async flush(): Promise<void> {
    if (this.flushing) {
      this.again = true;
      return;
    }
    this.flushing = true;
    try {
      await this.drain();
    } catch (err) {
      // Never let one bad answer stop sync: report it and try again later.
      this.update({ lastError: { code: 'internal', message: err instanceof Error ? err.message : String(err) } });
      this.retryLater(() => void this.flush());
    } finally {
      this.flushing = false;
    }
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      while (this.socket.connected) {
        const batch = await pendingBatch(BATCH_SIZE);
        if (batch.length === 0) break;
        const res = await this.push(batch.map((s) => s.record));
        if (!res) return this.retryLater(() => void this.flush());
        if (!res.ok) {
          const error = ApiError.safeParse(res.error);
          this.update({ lastError: error.success ? error.data : { code: 'internal', message: 'the hub refused a batch' } });
          return this.retryLater(() => void this.flush());
        }
        const results = PushResult.safeParse(res.data);
        if (!results.success || results.data.results.length !== batch.length) {
          this.update({ lastError: { code: 'invalid', message: 'the hub answered a batch in an unexpected shape; resending later' } });
          return this.retryLater(() => void this.flush());
        }
        await applyResults(batch, results.data.results, Date.now());
        this.attempt = 0;
        this.update({ ...(await syncCounts()), lastSyncAt: Date.now() });
      }
    } while (this.again && this.socket.connected);
  }

  /** Sends one batch; undefined if the ack did not come (timeout or disconnect). */
  private push(records: unknown[]): Promise<Ack<PushResult> | undefined> {
    return new Promise((resolve) => {
      const onDisconnect = () => resolve(undefined);
      this.socket.once('disconnect', onDisconnect);
      this.socket
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck('records:push', { records })
        .then(
          (res) => resolve(res),
          () => resolve(undefined),
        )
        .finally(() => this.socket.off('disconnect', onDisconnect));
    });
  }

  private retryLater(fn: () => void): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(fn, backoffDelay(this.attempt++));
  }

  private async refreshCounts(): Promise<void> {
    this.update(await syncCounts());
  }

  private update(patch: Partial<SyncStatus>): void {
    this._status = { ...this._status, ...patch };
    this.dispatchEvent(new CustomEvent<SyncStatus>('status', { detail: this._status }));
  }
}
