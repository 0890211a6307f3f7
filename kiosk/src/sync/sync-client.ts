import { io, type Socket } from 'socket.io-client';
import { KIOSK_NAMESPACE, type HubToKioskEvents, type KioskToHubEvents } from '../../../shared/events.js';
import { BookingsCancelled, VenueSlots } from '../../../shared/schemas/booking.js';
import { VenueProfile, VenueSecret } from '../../../shared/schemas/enrolment.js';
import { ApiError, type Ack } from '../../../shared/schemas/errors.js';
import { KioskStatus, RetireAnswer, RevokeRequest } from '../../../shared/schemas/kiosk-admin.js';
import { PassLeft } from '../../../shared/schemas/pass.js';
import { Policy } from '../../../shared/schemas/policy.js';
import { VenueSuspensions } from '../../../shared/schemas/suspension.js';
import { MAX_PUSH_BYTES, PushResult, VenueOccupancy } from '../../../shared/schemas/sync.js';
import { withinPushBytes } from '../../../shared/rules/push-bytes.js';
import { applyResults, hubHoldsThrough, lockRecording, pendingBatch, retireRequest, saveCancelledBookings, saveSuspensions, syncCounts, unlockRecording, type SyncCounts } from '../db.js';
import { HANDSHAKE_SPREAD, backoffDelay, reconnectDelay, retryAfterDelay } from './backoff.js';

export type Connection = 'connecting' | 'online' | 'offline' | 'unauthorized';

export interface SyncStatus extends SyncCounts {
  connection: Connection;
  lastSyncAt?: number;
  lastError?: ApiError;
  /** The street office revoked this tablet; its reason when the hub said it. */
  revoked?: { reason?: string };
  /**
   * The hub is behind and asked the tablet to wait (`retryAfterMs`): records
   * go again from this instant (Date.now()). A neutral state, not an error:
   * nothing is lost or refused.
   */
  hubBusyUntil?: number;
  /** Out of reach of the hub since this instant (Date.now()): set when the tablet goes offline, kept through reconnect attempts, cleared once online. */
  offlineSince?: number;
}

/**
 * How a retirement ended; only `retired` means the tablet may forget
 * its data. Every outcome is figures and reasons, never the hub's prose, so the
 * tablet words it in the language staff chose.
 */
export type RetireOutcome =
  /** The hub holds every record up to `lastSeq`; recording stays locked until the caller wipes. */
  | { outcome: 'retired'; retiredAt: number; lastSeq: number }
  /** Records still in the outbox after the drain: the hub must be reachable to take them first. */
  | { outcome: 'unsynced'; pending: number }
  /** The hub lacks `missing` records the tablet made. */
  | { outcome: 'conflict'; missing: number }
  /** The hub cannot be reached (or did not answer); `pending` records wait to be sent. */
  | { outcome: 'offline'; pending: number }
  | { outcome: 'revoked' }
  /**
   * `hub`: it could not retire the tablet now (try again); `mismatch`: it holds
   * records numbered beyond what the tablet made; `answer`: its answer was not
   * understood; `device`: the tablet could not read its own records.
   */
  | { outcome: 'error'; reason: 'hub' | 'mismatch' | 'answer' | 'device' };

const BATCH_SIZE = 100;
/** An acknowledgement slower than this is treated as lost; the batch is resent (idempotent). */
const ACK_TIMEOUT_MS = 20_000;
/** Status reports while the backlog moves are at most this often; reaching zero is always reported. */
const STATUS_INTERVAL_MS = 5000;

/**
 * The status the kiosk reports, or undefined if it would not pass
 * the hub's schema: a malformed status in the handshake would get the tablet
 * refused as if it were not enrolled, so it is left out rather than risked.
 */
export function buildStatus(counts: Pick<SyncCounts, 'pending' | 'rejected'>, appVersion: string, clock: number): KioskStatus | undefined {
  const parsed = KioskStatus.safeParse({ appVersion: appVersion.slice(0, 64), pending: counts.pending, rejected: counts.rejected, clock: Math.round(clock) });
  return parsed.success ? parsed.data : undefined;
}

type KioskSocket = Socket<HubToKioskEvents, KioskToHubEvents>;

/**
 * Drains the IndexedDB outbox to the hub over socket.io, oldest first, in
 * batches. A record leaves the outbox only on the hub's acknowledgement; a
 * lost ack, a refused batch or a dropped connection means the batch is resent
 * later, and the hub recognises what it already has.
 */
export class SyncClient extends EventTarget {
  private socket: KioskSocket;
  private flushing: Promise<void> | undefined;
  private again = false;
  /** Stopped on purpose (retired, revoked, page closing): no reconnect, no retry. */
  private stopped = false;
  /** Removes the window's online/offline listeners on stop. */
  private network: AbortController | undefined;
  private readonly appVersion: string;
  private readonly statusIntervalMs: number;
  /** The last status the hub was told (handshake or `kiosk:status`), to report changes only. */
  private reported: { pending: number; rejected: number; at: number } | undefined;
  private statusTimer: ReturnType<typeof setTimeout> | undefined;
  /** Failures in a row of the drain (lost ack, refused batch), for its backoff. */
  private attempt = 0;
  /** Records a batch holds at most: BATCH_SIZE, halved while the hub answers `too_large`. */
  private batchSize = BATCH_SIZE;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Connects the kiosk makes itself since the last success, for their spread. */
  private reconnects = 0;
  /**
   * Its own timer, apart from the drain's: a batch in flight when the hub closes
   * every socket (a restart) fails after the reconnect is set, and must not
   * cancel it, or the tablet would stay offline until the network changes.
   */
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  /** The hub asked for no batch before this instant (Date.now()); see holdSending. */
  private sendAfter = 0;
  private sendTimer: ReturnType<typeof setTimeout> | undefined;
  private _status: SyncStatus = { connection: 'connecting', pending: 0, synced: 0, rejected: 0 };

  private readonly onPolicy: (policy: Policy) => Promise<void>;
  private readonly onOccupancy: (occupancy: VenueOccupancy) => void;
  private readonly onPassLeft: (left: PassLeft) => void;
  private readonly onVenue: (venue: VenueProfile) => Promise<void>;
  private readonly onSecret: (secret: VenueSecret) => Promise<void>;
  private readonly onSlots: (slots: VenueSlots, heldThrough: number) => void;
  private readonly onSuspensions: (suspensions: VenueSuspensions) => void;
  /**
   * The hub holds every record of this kiosk up to this sequence number: read
   * from IndexedDB before each connect, raised the moment a batch's
   * acknowledgement arrives. Handed over with each 'slots:venue', which the
   * hub sends after the acknowledgement of the batch it counts.
   */
  private heldThrough = 0;
  /** The policy version the kiosk enforces, so an older push (a stale hub) is not applied over it. */
  private policyVersion: number;

  /**
   * @param options.onPolicy applies a policy the hub pushed (stores it); the
   *   kiosk acknowledges the version only after it has.
   * @param options.onOccupancy receives the venue's count per entrance.
   * @param options.onPassLeft receives each "I have left" of a pass of the venue.
   * @param options.leftSince the hub time of the last one handled, read at every (re)connect.
   * @param options.policyVersion the version the kiosk enforces now.
   * @param options.onVenue applies the venue as the street office now registers it.
   * @param options.onSecret stores the venue's pass-code secret as the hub now holds it (rotated on a revoke).
   * @param options.onSlots receives the venue's booking slots as the hub counts them,
   *   with the sequence number up to which the hub held this kiosk's records then.
   * @param options.onSuspensions receives the venue's suspension orders once they are kept in IndexedDB.
   * @param options.appVersion the app's build, reported in every status.
   * @param options.statusIntervalMs the least time between two status reports while the backlog moves.
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
      onVenue?: (venue: VenueProfile) => Promise<void>;
      onSecret?: (secret: VenueSecret) => Promise<void>;
      onSlots?: (slots: VenueSlots, heldThrough: number) => void;
      onSuspensions?: (suspensions: VenueSuspensions) => void;
      appVersion?: string;
      statusIntervalMs?: number;
      url?: string;
    } = {},
  ) {
    super();
    this.onPolicy = options.onPolicy ?? (async () => undefined);
    this.onOccupancy = options.onOccupancy ?? (() => undefined);
    this.onPassLeft = options.onPassLeft ?? (() => undefined);
    this.onVenue = options.onVenue ?? (async () => undefined);
    this.onSecret = options.onSecret ?? (async () => undefined);
    this.onSlots = options.onSlots ?? (() => undefined);
    this.onSuspensions = options.onSuspensions ?? (() => undefined);
    this.appVersion = options.appVersion ?? 'unknown';
    this.statusIntervalMs = options.statusIntervalMs ?? STATUS_INTERVAL_MS;
    const leftSince = options.leftSince ?? (() => undefined);
    this.policyVersion = options.policyVersion ?? 0;
    const url = options.url ?? '';
    this.socket = io(`${url}${KIOSK_NAMESPACE}`, {
      // A function, so every reconnect sends the cursor and the backlog as they are then.
      auth: (cb) => {
        const since = leftSince();
        void Promise.all([this.handshakeStatus(), this.readHeldThrough()]).then(([status]) =>
          cb({ token, ...(since === undefined ? {} : { leftSince: since }), ...(status ? { status } : {}) }),
        );
      },
      autoConnect: false,
      // WebSocket first, HTTP long-polling only if that fails (a proxy that refuses the upgrade):
      // starting on polling and upgrading costs four requests per connect, doubled the time 2,000
      // tablets took to come back after a restart, and left some silent until their ping time-out
      // (docs/architecture.md "Reconnects after a restart").
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      // After a hub restart every tablet of the street loses its socket at once. socket.io's n-th
      // delay is reconnectionDelay × 2^n moved by up to randomizationFactor of itself either way,
      // capped: with 1 the first lands anywhere in 0–6 s, then at most 10 s, so 2,000 tablets come
      // back a few hundred a second rather than all in the same one, and one that tried while the
      // hub was still down is back within 10 s of it. The kiosk's own reconnects (reconnectDelay)
      // read these same figures off the socket.
      reconnectionDelay: 3000,
      reconnectionDelayMax: 10_000,
      randomizationFactor: 1,
    });
    this.socket.on('connect', () => {
      this.attempt = 0;
      this.reconnects = 0;
      // A wait the hub asked for before a drop still holds; one from a refused handshake is over.
      this.update({ connection: 'online', hubBusyUntil: this.sendAfter > Date.now() ? this.sendAfter : undefined });
      void this.flush();
    });
    this.socket.on('disconnect', (reason) => {
      // Packets buffered while offline would be sent on reconnect beside our own resend.
      this.socket.sendBuffer = [];
      clearTimeout(this.statusTimer);
      this.statusTimer = undefined;
      if (this.stopped || this._status.revoked) return;
      this.update({ connection: 'offline' });
      // socket.io does not reconnect after the hub closed the socket itself; the next handshake
      // tells whether the tablet is still welcome (a revoked one is refused there).
      // It does that to every tablet when it restarts: spread like socket.io's own reconnects.
      if (reason === 'io server disconnect') this.connectLater(this.nextReconnectDelay());
    });
    this.socket.on('kiosk:revoked', (raw: unknown) => {
      // Same reason the street office typed (RevokeRequest); revoked all the same if it is unreadable.
      const parsed = RevokeRequest.safeParse(raw);
      this.revoke(parsed.success ? parsed.data.reason : undefined);
    });
    this.socket.on('venue:profile', (raw: unknown) => void this.applyVenue(raw));
    this.socket.on('venue:secret', (raw: unknown) => void this.applySecret(raw));
    this.socket.on('policy:update', (raw: unknown) => void this.applyPolicy(raw));
    this.socket.on('occupancy:venue', (raw: unknown) => {
      const parsed = VenueOccupancy.safeParse(raw);
      if (parsed.success) this.onOccupancy(parsed.data);
    });
    this.socket.on('slots:venue', (raw: unknown) => {
      const parsed = VenueSlots.safeParse(raw);
      // Read now, synchronously: an acknowledgement that arrives after these figures is not in them.
      if (parsed.success) this.onSlots(parsed.data, this.heldThrough);
      else this.update({ lastError: { code: 'invalid', message: `booking slots from the hub refused: ${parsed.error.message}` } });
    });
    this.socket.on('bookings:cancelled', (raw: unknown) => {
      const parsed = BookingsCancelled.safeParse(raw);
      if (!parsed.success) {
        this.update({ lastError: { code: 'invalid', message: `cancelled bookings from the hub refused: ${parsed.error.message}` } });
        return;
      }
      // Kept in IndexedDB before anything else: the door must refuse these QR codes offline too.
      saveCancelledBookings(parsed.data.bookings, Date.now()).catch((err: unknown) =>
        this.update({ lastError: { code: 'internal', message: `could not keep cancelled bookings: ${err instanceof Error ? err.message : String(err)}` } }),
      );
    });
    this.socket.on('suspensions:venue', (raw: unknown) => void this.applySuspensions(raw));
    this.socket.on('pass:left', (raw: unknown) => {
      const parsed = PassLeft.safeParse(raw);
      if (parsed.success) this.onPassLeft(parsed.data);
    });
    this.socket.on('connect_error', (err: Error & { data?: ApiError }) => {
      if (err.data?.code === 'unauthorized') {
        // Refused on every reconnect from now on (revoked, or unknown to this hub): stop trying.
        this.update({ lastError: err.data });
        this.revoke(this._status.revoked?.reason);
        return;
      }
      const refusal = ApiError.safeParse(err.data);
      if (refusal.success && refusal.data.code === 'rate_limited') {
        // The hub is taking too many tablets at once (just restarted): come back when it says,
        // each tablet somewhere in the period after, and not as a fault (socket.io gave up).
        const after = refusal.data.retryAfterMs;
        const wait = after === undefined ? this.nextReconnectDelay() : retryAfterDelay(after, Math.random, HANDSHAKE_SPREAD.spread, HANDSHAKE_SPREAD.minJitterMs);
        this.update({ connection: 'connecting', hubBusyUntil: Date.now() + wait });
        this.connectLater(wait);
        return;
      }
      this.update({ connection: 'offline' });
      // A refusal for another reason: socket.io gives up, so retry ourselves.
      if (!this.socket.active) this.connectLater(backoffDelay(this.attempt++));
    });
  }

  get status(): SyncStatus {
    return this._status;
  }

  start(): void {
    this.stopped = false;
    void this.refreshCounts();
    this.watchNetwork();
    this.socket.connect();
  }

  stop(): void {
    this.stopped = true;
    this.network?.abort();
    this.network = undefined;
    clearTimeout(this.retryTimer);
    clearTimeout(this.connectTimer);
    clearTimeout(this.sendTimer);
    this.sendTimer = undefined;
    clearTimeout(this.statusTimer);
    this.socket.disconnect();
  }

  /**
   * The tablet's own view of its network: when Wi-Fi drops, say so at once
   * rather than after socket.io's ping timeout (up to 45 s); when it is back,
   * connect at once rather than after the reconnection backoff (up to 30 s),
   * so records and acknowledgements of a policy switch go without delay.
   */
  private watchNetwork(): void {
    if (typeof window === 'undefined' || this.network) return;
    this.network = new AbortController();
    const { signal } = this.network;
    window.addEventListener('offline', () => {
      if (this.socket.connected) this.socket.disconnect();
      if (!this.stopped && !this._status.revoked) this.update({ connection: 'offline' });
    }, { signal });
    window.addEventListener('online', () => {
      if (this.stopped || this._status.revoked || this.socket.connected) return;
      clearTimeout(this.retryTimer);
      clearTimeout(this.connectTimer);
      this.attempt = 0;
      this.reconnects = 0;
      // Drop any backoff timer socket.io is waiting on, then try now.
      this.socket.disconnect();
      this.socket.connect();
    }, { signal });
  }

  /**
   * Retires the tablet: sends every record it can, refuses while any
   * is still unsent, then asks the hub, which refuses while it lacks any
   * record the tablet made. Recording is locked from before the count (db.ts
   * lockRecording), so no record is made between what the hub counted and the
   * wipe. On `retired` the client has stopped for good and recording stays
   * locked: the caller wipes the tablet (wipeIfRetired), then unlocks. On
   * anything else nothing has changed and recording is unlocked again.
   */
  async retire(timeoutMs = ACK_TIMEOUT_MS): Promise<RetireOutcome> {
    if (this._status.revoked) return { outcome: 'revoked' };
    lockRecording();
    let out: RetireOutcome = { outcome: 'error', reason: 'device' };
    try {
      out = await this.askToRetire(timeoutMs);
      return out;
    } finally {
      if (out.outcome !== 'retired') unlockRecording();
    }
  }

  private async askToRetire(timeoutMs: number): Promise<RetireOutcome> {
    if (!this.socket.connected) return { outcome: 'offline', pending: (await retireRequest()).pending };
    await this.flush();
    const request = await retireRequest();
    if (!this.socket.connected) return { outcome: 'offline', pending: request.pending };
    if (request.pending > 0) return { outcome: 'unsynced', pending: request.pending };
    let res: Ack<RetireAnswer>;
    try {
      res = await this.socket.timeout(timeoutMs).emitWithAck('kiosk:retire', { lastSeq: request.lastSeq, rejectedSeqs: request.rejectedSeqs });
    } catch {
      return { outcome: 'offline', pending: 0 }; // no answer: nothing is known to have changed at the hub
    }
    if (res.ok) {
      const answer = RetireAnswer.safeParse(res.data);
      // Not understood is not retired: the tablet keeps everything.
      if (!answer.success) return { outcome: 'error', reason: 'answer' };
      if (answer.data.outcome === 'missing') return { outcome: 'conflict', missing: answer.data.missing };
      // The hub has let the tablet go; nothing more may be sent under its token.
      this.stop();
      return { outcome: 'retired', retiredAt: answer.data.retiredAt, lastSeq: request.lastSeq };
    }
    const error = ApiError.safeParse(res.error);
    if (!error.success) return { outcome: 'error', reason: 'answer' };
    if (error.data.code === 'unauthorized') {
      this.revoke(undefined);
      return { outcome: 'revoked' };
    }
    return { outcome: 'error', reason: error.data.code === 'invalid' && error.data.field === 'lastSeq' ? 'mismatch' : 'hub' };
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

  /** The tablet is no longer trusted: stop for good, keep every record, say so. */
  private revoke(reason: string | undefined): void {
    this.stop();
    this.update({ connection: 'unauthorized', revoked: reason === undefined ? {} : { reason } });
  }

  private async applyVenue(raw: unknown): Promise<void> {
    const parsed = VenueProfile.safeParse(raw);
    if (!parsed.success) {
      this.update({ lastError: { code: 'invalid', message: `venue from the hub refused: ${parsed.error.message}` } });
      return;
    }
    await this.onVenue(parsed.data);
  }

  /**
   * An inspector's suspension orders for the venue (停业整顿): kept in IndexedDB
   * first, so the door refuses offline and after a reboot too, then handed on
   * so it refuses at once.
   */
  private async applySuspensions(raw: unknown): Promise<void> {
    const parsed = VenueSuspensions.safeParse(raw);
    if (!parsed.success) {
      this.update({ lastError: { code: 'invalid', message: `suspension orders from the hub refused: ${parsed.error.message}` } });
      return;
    }
    try {
      await saveSuspensions(parsed.data);
    } catch (err) {
      this.update({ lastError: { code: 'internal', message: `could not keep suspension orders: ${err instanceof Error ? err.message : String(err)}` } });
    }
    // Enforced now even if storing failed: the door must not admit while the hub says it is suspended.
    this.onSuspensions(parsed.data);
  }

  private async applySecret(raw: unknown): Promise<void> {
    const parsed = VenueSecret.safeParse(raw);
    if (!parsed.success) {
      this.update({ lastError: { code: 'invalid', message: `pass-code secret from the hub refused: ${parsed.error.message}` } });
      return;
    }
    await this.onSecret(parsed.data);
  }

  /** The status for the handshake; it counts as reported. */
  private async handshakeStatus(): Promise<KioskStatus | undefined> {
    try {
      const counts = await syncCounts();
      const status = buildStatus(counts, this.appVersion, Date.now());
      if (status) this.reported = { pending: status.pending, rejected: status.rejected, at: Date.now() };
      return status;
    } catch {
      return undefined; // the handshake never waits on a broken database
    }
  }

  /**
   * Tells the hub the backlog moved: at most one report per
   * interval while it moves, the last one trailing, and at once when it
   * reaches zero, so the street office never sees a stale backlog.
   */
  private reportStatus(): void {
    if (!this.socket.connected || this.stopped) return;
    const { pending, rejected } = this._status;
    const last = this.reported;
    if (last && last.pending === pending && last.rejected === rejected) return;
    const wait = last ? last.at + this.statusIntervalMs - Date.now() : 0;
    if (pending === 0 || wait <= 0) {
      clearTimeout(this.statusTimer);
      this.statusTimer = undefined;
      const status = buildStatus(this._status, this.appVersion, Date.now());
      if (!status) return;
      this.reported = { pending, rejected, at: Date.now() };
      this.socket.emit('kiosk:status', status);
      return;
    }
    this.statusTimer ??= setTimeout(() => {
      this.statusTimer = undefined;
      this.reportStatus();
    }, wait);
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

  /** Drains the outbox; resolves when this drain (and any asked for meanwhile) is over. */
  private flush(): Promise<void> {
    if (this.flushing) {
      this.again = true;
      return this.flushing;
    }
    this.flushing = (async () => {
      try {
        await this.drain();
      } catch (err) {
        // Never let one bad answer stop sync: report it and try again later.
        this.update({ lastError: { code: 'internal', message: err instanceof Error ? err.message : String(err) } });
        this.retryLater(() => void this.flush());
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      while (this.socket.connected) {
        // Cut to the push's byte limit, so no batch is ever larger than the hub takes.
        const batch = withinPushBytes(await pendingBatch(this.batchSize), MAX_PUSH_BYTES, (s) => s.record);
        if (batch.length === 0) break;
        if (this.holdSending()) return;
        const res = await this.push(batch.map((s) => s.record), batch.at(-1)!.seq);
        if (!res) return this.retryLater(() => void this.flush());
        if (!res.ok) {
          const error = ApiError.safeParse(res.error);
          if (error.success && error.data.code === 'rate_limited') {
            // Refused whole and stored nothing: the batch stays first in the outbox and goes
            // again when the hub said. Not a fault of the records, and nothing staff must act on.
            const after = error.data.retryAfterMs;
            this.holdFor(after === undefined ? backoffDelay(this.attempt++) : retryAfterDelay(after));
            continue;
          }
          if (error.success && error.data.code === 'too_large' && batch.length > 1) {
            // A hub with a lower limit than this kiosk's: smaller batches from now on, at once.
            this.batchSize = Math.max(1, Math.floor(batch.length / 2));
            continue;
          }
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
        // Stored, but the hub is behind: the next batch waits as long as it asked.
        const after = results.data.retryAfterMs;
        if (after !== undefined && after > 0) this.holdFor(retryAfterDelay(after));
        this.update({ ...(await syncCounts()), lastSyncAt: Date.now() });
      }
    } while (this.again && this.socket.connected);
  }

  /**
   * Sends one batch (records `lastSeq` and below); undefined if the ack did not
   * come (timeout or disconnect). The ack is taken in socket.io's callback, not
   * a later promise turn, so `heldThrough` moves before any packet after it is
   * handled.
   */
  private push(records: unknown[], lastSeq: number): Promise<Ack<PushResult> | undefined> {
    // Dropped between reading the batch and sending it: socket.io would buffer it, and no
    // 'disconnect' is left to come, so its ack would be waited for the whole time-out. The
    // reconnect sends it again.
    if (!this.socket.connected) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const onDisconnect = () => resolve(undefined);
      this.socket.once('disconnect', onDisconnect);
      this.socket.timeout(ACK_TIMEOUT_MS).emit('records:push', { records }, (err: Error | null, res: Ack<PushResult>) => {
        this.socket.off('disconnect', onDisconnect);
        if (err) return resolve(undefined);
        // An ok batch is stored whole (accepted or already there); a refused one is not.
        if (res?.ok) this.heldThrough = Math.max(this.heldThrough, lastSeq);
        resolve(res);
      });
    });
  }

  /** Before each connect: offline, no acknowledgement can come, so IndexedDB knows it exactly. */
  private async readHeldThrough(): Promise<void> {
    try {
      this.heldThrough = Math.max(this.heldThrough, await hubHoldsThrough());
    } catch {
      // A broken database never holds up the handshake; the last value stands.
    }
  }

  private retryLater(fn: () => void): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(fn, backoffDelay(this.attempt++));
  }

  /** The next connect the kiosk makes itself, spread as socket.io spreads its own (backoff.ts). */
  private nextReconnectDelay(): number {
    return reconnectDelay(this.reconnects++, Math.random, this.socket.io.reconnectionDelay(), this.socket.io.reconnectionDelayMax());
  }

  /**
   * Connects `ms` from now by Date.now(), not before: a timer may fire a little
   * early by that clock, and a hub that asked for a wait is owed all of it.
   */
  private connectLater(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.connectTimer);
    const at = Date.now() + ms;
    const fire = () => {
      const early = at - Date.now();
      if (early > 0) this.connectTimer = setTimeout(fire, early);
      else if (!this.stopped && !this.socket.connected) this.socket.connect();
    };
    this.connectTimer = setTimeout(fire, ms);
  }

  /** No batch for `ms` from now (or until a later instant already asked for). */
  private holdFor(ms: number): void {
    this.sendAfter = Math.max(this.sendAfter, Date.now() + ms);
  }

  /**
   * Whether the hub's wait still holds; if so the drain stops here and a timer
   * resumes it. Checked before every batch, the timer's own included, so no
   * batch leaves before the instant, whatever the timer does.
   */
  private holdSending(): boolean {
    const wait = this.sendAfter - Date.now();
    if (wait <= 0) {
      if (this._status.hubBusyUntil !== undefined) this.update({ hubBusyUntil: undefined });
      return false;
    }
    this.sendTimer ??= setTimeout(() => {
      this.sendTimer = undefined;
      void this.flush();
    }, wait);
    if (this._status.hubBusyUntil !== this.sendAfter) this.update({ hubBusyUntil: this.sendAfter });
    return true;
  }

  private async refreshCounts(): Promise<void> {
    this.update(await syncCounts());
  }

  private update(patch: Partial<SyncStatus>): void {
    const next: SyncStatus = { ...this._status, ...patch };
    if (next.connection === 'online') delete next.offlineSince;
    else if (next.connection === 'offline') next.offlineSince ??= Date.now();
    this._status = next;
    this.dispatchEvent(new CustomEvent<SyncStatus>('status', { detail: this._status }));
    if ('pending' in patch || 'rejected' in patch) this.reportStatus();
  }
}
