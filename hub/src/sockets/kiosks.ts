import type { FastifyBaseLogger } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Server, Socket } from 'socket.io';
import { KIOSK_NAMESPACE, type HubToKioskEvents, type KioskToHubEvents } from '../../../shared/events.js';
import { zodToApiError, type Ack, type ApiError } from '../../../shared/schemas/errors.js';
import { KioskStatus, RetireRequest, type KioskView, type RetireAnswer } from '../../../shared/schemas/kiosk-admin.js';
import { PassKey, type PassLeft } from '../../../shared/schemas/pass.js';
import { KioskAuth, PolicyAck, type PushResult } from '../../../shared/schemas/sync.js';
import type { HubKeys } from '../keys.js';
import type { HubMeter } from '../metrics.js';
import type { KioskIdentity } from '../store/kiosks.js';
import type { Store } from '../store/index.js';
import { KioskRevokedError } from '../store/records.js';
import { venueSlots } from '../services/bookings.js';
import { evaluateBatch } from '../services/flags.js';
import { anyAdminMayWatch, pushFlags, pushKiosk, streetWatching } from './dashboards.js';
import { ingestBatch } from './ingest.js';
import { createPushQueue } from './push-queue.js';
import { createRefusedTokens } from './refused-tokens.js';
import { othersAnswer } from './others.js';

interface SocketData {
  kiosk: KioskIdentity;
  leftSince: number | undefined;
  /** What the kiosk last said of itself (in its handshake, then kiosk:status); older kiosk apps send nothing. */
  status: KioskStatus | undefined;
  /** Releases this socket's place among the handshakes being handled (KioskLimits.maxHandshakes). */
  admitted: (() => void) | undefined;
}
/** A kiosk with a socket open, as a hub process tells the others. */
export interface ConnectedKiosk {
  id: string;
  communityId: string;
}
/**
 * What one hub process asks the others about their kiosk sockets (serverSideEmit over the
 * PostgreSQL adapter, docs/architecture.md "Several hub processes"); each answers from its own.
 * Only ids cross, never a socket's handshake (it holds the kiosk's token).
 */
export interface KioskPresenceEvents {
  'presence:kiosks': (reply: (kiosks: ConnectedKiosk[]) => void) => void;
  'presence:kiosk': (kioskId: string, reply: (connected: boolean) => void) => void;
}
export type KioskServer = Server<KioskToHubEvents, HubToKioskEvents, KioskPresenceEvents, SocketData>;
type KioskSocket = Socket<KioskToHubEvents, HubToKioskEvents, KioskPresenceEvents, SocketData>;

/**
 * How far ahead of the hub a tablet's policy version may be and still be
 * believed (a hub restored from a backup is a few switches behind); beyond
 * it the ack is refused as nonsense and not recorded.
 */
const MAX_VERSIONS_AHEAD = 1000;

/** Same lookback as the kiosk: counting restarts at a close-out, or after 36 h without one. */
const OCCUPANCY_LOOKBACK_MS = 36 * 60 * 60 * 1000;

/**
 * Backpressure (docs/architecture.md "Backpressure and reconnects"). A batch
 * that waited longer than `slowBatchMs` between arriving and being committed
 * is acknowledged with a `retryAfterMs`: the kiosk pauses before its next
 * batch, so the hub catches up instead of acks timing out. With more than
 * `maxQueuedRecords` waiting for a commit, a batch is refused unstored
 * (`rate_limited`) and resent by the kiosk after the pause. At most
 * `maxHandshakes` handshakes are checked at once (token lookup, the connecting
 * kiosk's catch-up reads start): a street of tablets reconnecting after a
 * restart beyond it is told to come back shortly, each at a different moment,
 * rather than all queuing at once.
 */
export interface KioskLimits {
  slowBatchMs: number;
  maxQueuedRecords: number;
  maxHandshakes: number;
}

export const KIOSK_LIMITS: KioskLimits = { slowBatchMs: 200, maxQueuedRecords: 50_000, maxHandshakes: 200 };
/** The longest pause asked of a kiosk for one slow batch. */
const MAX_PAUSE_MS = 10_000;
/** Around how long a kiosk refused at the handshake waits before it tries again. */
const HANDSHAKE_RETRY_MS = 2_000;
/** Every kiosk of one venue: occupancy, exits and venue edits reach them here. */
export const venueRoom = (venueId: string) => `venue:${venueId}`;
/**
 * Every kiosk of a community's venues: every policy reaches a door here, whatever its level, as
 * each community enforces its own meet of the levels (services/policy-switch.ts); a moved
 * community's doors stay in it.
 */
export const kioskCommunityRoom = (communityId: string) => `community:${communityId}`;
/** The one kiosk: revoking it cuts its socket here. */
export const kioskRoom = (kioskId: string) => `kiosk:${kioskId}`;

/** Kiosks with a socket open on this process (each once, however many sockets it has open). */
function localKiosks(io: KioskServer): ConnectedKiosk[] {
  const seen = new Map<string, ConnectedKiosk>();
  for (const socket of io.of(KIOSK_NAMESPACE).sockets.values()) {
    const kiosk = socket.data.kiosk;
    if (kiosk) seen.set(kiosk.id, { id: kiosk.id, communityId: kiosk.communityId });
  }
  return [...seen.values()];
}

/** Kiosks with a socket open on any hub process now (each once). */
export async function connectedKiosks(io: KioskServer): Promise<ConnectedKiosk[]> {
  const nsp = io.of(KIOSK_NAMESPACE);
  const all = new Map(localKiosks(io).map((k) => [k.id, k]));
  for (const kiosks of await othersAnswer(nsp, () => nsp.serverSideEmitWithAck('presence:kiosks'))) for (const k of kiosks) all.set(k.id, k);
  return [...all.values()];
}

/** Ids of the kiosks with a socket open on any hub process now. */
export async function connectedKioskIds(io: KioskServer): Promise<Set<string>> {
  return new Set((await connectedKiosks(io)).map((k) => k.id));
}

/** Whether the kiosk has a socket open on this process: its own room is not empty. */
function kioskHere(io: KioskServer, id: string): boolean {
  return (io.of(KIOSK_NAMESPACE).adapter.rooms.get(kioskRoom(id))?.size ?? 0) > 0;
}

/** Whether the kiosk has a socket open on any hub process now (the others are asked only if not on this one). */
export async function isKioskConnected(io: KioskServer, id: string): Promise<boolean> {
  if (kioskHere(io, id)) return true;
  const nsp = io.of(KIOSK_NAMESPACE);
  return (await othersAnswer(nsp, () => nsp.serverSideEmitWithAck('presence:kiosk', id))).includes(true);
}

/** A kiosk as the street admin sees it, with whether its socket is open now (on any hub process). */
export async function liveKioskView(store: Store, io: KioskServer, id: string): Promise<KioskView | undefined> {
  const [view, connected] = await Promise.all([store.kiosks.view(id), isKioskConnected(io, id)]);
  return view && { ...view, connected };
}

/** Tells the dashboards of the admins of the kiosk's street how it stands now; a failure is logged, never thrown at the caller. */
export async function pushKioskView(store: Store, io: KioskServer, id: string, log: FastifyBaseLogger): Promise<void> {
  try {
    if (!(await anyAdminMayWatch(io))) return;
    const kiosk = await store.kiosks.byId(id);
    const place = kiosk && (await store.organisation.placeOfCommunity(kiosk.communityId));
    // Nobody at the street office (or above it) is watching: a street of tablets reconnecting reads no views.
    if (!place || !(await streetWatching(io, place))) return;
    const view = await liveKioskView(store, io, id);
    if (view) pushKiosk(io, place, view);
  } catch (err) {
    log.error({ err, kioskId: id }, 'could not push the kiosk to dashboards');
  }
}

/**
 * Tells every kiosk of the venue its suspension orders not over and not
 * lifted (or `target`, one connecting kiosk). The list replaces what the door
 * kept, so an empty one clears a lifted order.
 */
export async function pushSuspensions(
  store: Store,
  io: KioskServer,
  venueId: string,
  now: number,
  target: { emit: KioskSocket['emit'] } = io.of(KIOSK_NAMESPACE).to(venueRoom(venueId)),
): Promise<void> {
  const ahead = await store.suspensions.ahead(venueId, now);
  target.emit('suspensions:venue', {
    venueId,
    suspensions: ahead.map(({ id, venueId: v, from, to, startsAt, endsAt, reason }) => ({ id, venueId: v, from, to, startsAt, endsAt, reason })),
  });
}

/**
 * Cuts every socket of a kiosk at once, on whichever hub process it is: it was revoked or retired.
 * Resolves once this process's sockets of it are cut (the PostgreSQL adapter cuts them after
 * telling the other processes, in order after anything pushed to the kiosk before), so a view read
 * next says it is not connected.
 */
export async function cutKiosk(io: KioskServer, kioskId: string): Promise<void> {
  // The adapter's own call (what `in(room).disconnectSockets(true)` makes), for its promise.
  await io.of(KIOSK_NAMESPACE).adapter.disconnectSockets({ rooms: new Set([kioskRoom(kioskId)]), except: new Set() }, true);
}

export interface KioskSocketDeps {
  store: Store;
  keys: HubKeys;
  now: () => number;
  log: FastifyBaseLogger;
  /** Backpressure limits; KIOSK_LIMITS by default (tests lower them). */
  limits?: Partial<KioskLimits>;
  /** The client's address of a handshake (behind trusted proxies, the forwarded one); the peer's by default. */
  address?: (req: IncomingMessage) => string;
  /** Bad tokens one address may present a minute (BAD_TOKENS_PER_ADDRESS by default). */
  badTokensPerAddress?: number;
  /** Batches, their acks' latency and database errors, for /metrics (hub/src/metrics.ts). */
  meter: HubMeter;
}


/** A pause about twice what the hub is behind by (at least `floorMs`), spread so paused kiosks do not all return at once. */
function pauseFor(behindMs: number, floorMs: number): number {
  return Math.round(Math.min(MAX_PAUSE_MS, Math.max(floorMs, 2 * behindMs, 100)) * (0.75 + Math.random() / 2));
}

/** An Error socket.io hands to the client as `connect_error`, with the shared error shape in `data`. */
function refusal(error: ApiError): Error & { data: ApiError } {
  return Object.assign(new Error(error.message), { data: error });
}

/**
 * The kiosks' namespace: a kiosk connects with the token it got at enrolment
 * and pushes batches of records. Handler order (STYLE.md): safeParse → store →
 * acknowledge. The acknowledgement is sent only after the batch is committed.
 */
export function registerKioskSockets(
  io: KioskServer,
  { store, now, log, limits: over = {}, address = (req) => req.socket.remoteAddress ?? '', badTokensPerAddress, meter }: KioskSocketDeps,
): { close(): void } {
  const nsp = io.of(KIOSK_NAMESPACE);
  const limits = { ...KIOSK_LIMITS, ...over };
  const badTokens = createRefusedTokens(log, badTokensPerAddress);
  /** A failure of `p` counted as a read error (metrics), then passed on to whoever logs it. */
  const counted = <T>(p: Promise<T>): Promise<T> =>
    p.catch((err: unknown) => {
      meter.dbError('read');
      throw err;
    });

  /**
   * The status a kiosk sent with its token, checked apart from it: a malformed
   * report (an app bug) is logged and ignored, never a reason to refuse a valid
   * token, which the tablet would take for a revocation.
   */
  function handshakeStatus(raw: unknown, kioskId: string): KioskStatus | undefined {
    if (raw === undefined) return undefined;
    const parsed = KioskStatus.safeParse(raw);
    if (parsed.success) return parsed.data;
    log.warn({ kioskId, error: zodToApiError(parsed.error) }, 'kiosk handshake status ignored: malformed');
    return undefined;
  }

  /**
   * A handshake without a good token: counted per address, and past the limit the address is
   * told to wait. A valid token is never refused for its neighbours' bad ones (its check is one
   * hash and one indexed read). The connection is closed rather than held until it times out.
   */
  async function refuseToken(socket: KioskSocket, next: (err?: Error) => void, message: string): Promise<void> {
    const waitMs = await badTokens.refused(address(socket.request));
    next(
      waitMs > 0
        ? refusal({ code: 'rate_limited', message: 'too many unknown kiosk tokens from this address; wait', retryAfterMs: waitMs })
        : refusal({ code: 'unauthorized', field: 'token', message }),
    );
    setImmediate(() => socket.conn.close());
  }

  // The other hub processes' questions (connectedKiosks, isKioskConnected), answered from this one's sockets.
  nsp.on('presence:kiosks', (reply) => reply(localKiosks(io)));
  nsp.on('presence:kiosk', (kioskId, reply) => reply(kioskHere(io, kioskId)));

  let handshakes = 0;
  nsp.use(async (socket, next) => {
    const auth = KioskAuth.safeParse(socket.handshake.auth);
    if (!auth.success) return refuseToken(socket, next, 'this kiosk is not enrolled: no token');
    if (handshakes >= limits.maxHandshakes) {
      // Spread over a few seconds, so the ones told to wait do not all come back in the same instant.
      const retryAfterMs = Math.round(HANDSHAKE_RETRY_MS * (0.5 + Math.random()));
      return next(refusal({ code: 'rate_limited', message: 'the hub is taking many tablets at once; retrying shortly', retryAfterMs }));
    }
    handshakes++;
    // Held until the connection is up (released in 'connection', or here on refusal).
    socket.data.admitted = () => {
      handshakes--;
      socket.data.admitted = undefined;
    };
    // A tablet that hangs up while its handshake is being checked never reaches 'connection'.
    socket.conn.once('close', () => socket.data.admitted?.());
    try {
      const kiosk = await store.kiosks.authenticate(auth.data.token, now());
      if (!kiosk) {
        socket.data.admitted?.();
        return refuseToken(socket, next, 'unknown or revoked kiosk token');
      }
      socket.data.kiosk = kiosk;
      socket.data.leftSince = auth.data.leftSince;
      socket.data.status = handshakeStatus(auth.data.status, kiosk.id);
      next();
    } catch (err) {
      socket.data.admitted?.();
      meter.dbError('read');
      log.error({ err }, 'kiosk authentication failed');
      next(refusal({ code: 'internal', message: 'the hub could not check this kiosk; retrying' }));
    }
  });

  /** Tells every kiosk of the venue how many are inside per entrance. */
  async function pushOccupancy(venueId: string, target: { emit: KioskSocket['emit'] } = nsp.to(venueRoom(venueId))) {
    const entrances = await store.occupancy.byVenue(venueId, now());
    target.emit('occupancy:venue', { venueId, entrances, at: new Date(now()).toISOString() });
  }

  /**
   * The venue's booking slots from the current one to its midnight (docs/bookings.md;
   * nothing after a batch at a venue taking no bookings). After a batch it is
   * emitted after the batch's acknowledgement, so the kiosk that sent it knows
   * its records are in these figures and adds only what it admitted since.
   */
  async function pushSlots(venueId: string, target: { emit: KioskSocket['emit'] } = nsp.to(venueRoom(venueId)), always = false) {
    const slots = await venueSlots(store, venueId, now());
    if (always || slots.mode !== 'off') target.emit('slots:venue', slots);
  }

  const pushes = createPushQueue(
    {
      occupancy: (venueId) => counted(pushOccupancy(venueId)),
      slots: (venueId) => counted(pushSlots(venueId)),
      flags: (flags) => pushFlags(io, store.organisation, flags),
      kiosk: (id) => pushKioskView(store, io, id, log),
    },
    log,
  );
  const pushView = (id: string) => pushes.kiosk(id);

  nsp.on('connection', (socket: KioskSocket) => {
    const { kiosk, status } = socket.data;
    socket.data.admitted?.();
    log.info({ kioskId: kiosk.id, appVersion: status?.appVersion, backlog: status?.pending }, 'kiosk connected');
    // Joined at once (synchronously: the adapter joins this process's sockets in memory, the
    // PostgreSQL one too): a revoke from now on reaches this socket, from any hub process.
    void socket.join([kioskCommunityRoom(kiosk.communityId), kioskRoom(kiosk.id)]);
    void (async () => {
      try {
        // A revoke that landed between the handshake's check and the join above missed this socket.
        if (!(await store.kiosks.isActive(kiosk.id))) {
          socket.disconnect(true);
          return;
        }
        if (status) await store.kiosks.report(kiosk.id, status, now());
      } catch (err) {
        meter.dbError('ingest');
        log.error({ err, kioskId: kiosk.id }, 'could not store the kiosk status');
      }
      pushView(kiosk.id);
    })();
    // A kiosk that was offline through a registry edit (capacity, hours, door staff) catches up.
    counted(store.venues.profile(kiosk.venueId)).then(
      (profile) => profile && socket.emit('venue:profile', profile),
      (err: unknown) => log.error({ err, kioskId: kiosk.id }, 'could not read the venue profile'),
    );
    counted(pushOccupancy(kiosk.venueId, socket)).catch((err: unknown) => log.error({ err, kioskId: kiosk.id }, 'could not count occupancy'));
    // Bookings made and people admitted at other doors while this kiosk was away; 'off' too, so a
    // door keeps no figures of a venue that stopped taking bookings.
    counted(pushSlots(kiosk.venueId, socket, true)).catch((err: unknown) => log.error({ err, kioskId: kiosk.id }, 'could not count booking slots'));
    // Exits patrons declared while this kiosk was away, sent before the kiosk joins its venue's
    // room so they arrive before any live one (the kiosk moves its cursor as it handles them).
    // Without a cursor (a fresh kiosk) the lookback bounds it. A second read covers exits
    // recorded between the first and the join; the kiosk counts each exit once anyway.
    void (async () => {
      const since = socket.data.leftSince ?? now() - OCCUPANCY_LOOKBACK_MS;
      const readAt = now();
      const sent = new Set<string>();
      const send = (left: PassLeft[]) => left.filter((l) => !sent.has(l.id)).forEach((l) => (sent.add(l.id), socket.emit('pass:left', l)));
      try {
        send(await counted(store.passes.leftSince(kiosk.venueId, since)));
      } catch (err) {
        log.error({ err, kioskId: kiosk.id }, 'could not read passes that left');
      }
      await socket.join(venueRoom(kiosk.venueId));
      try {
        send(await counted(store.passes.leftSince(kiosk.venueId, Math.max(since, readAt - 1000))));
      } catch (err) {
        log.error({ err, kioskId: kiosk.id }, 'could not read passes that left');
      }
      // Bookings cancelled while this kiosk was away: their QR stays valid offline,
      // so the door must be told. Read after the room join: a cancel from now on is also pushed live;
      // the kiosk merges both, so one told twice is harmless.
      try {
        socket.emit('bookings:cancelled', { venueId: kiosk.venueId, bookings: await counted(store.bookings.cancelledLive(kiosk.venueId, now())) });
      } catch (err) {
        log.error({ err, kioskId: kiosk.id }, 'could not read cancelled bookings');
      }
      // Suspension orders, always sent (empty too): a kiosk that was offline through an order learns
      // it, through a lift forgets it. Read after the room join, so one ordered meanwhile is also pushed live.
      try {
        await counted(pushSuspensions(store, io, kiosk.venueId, now(), socket));
      } catch (err) {
        log.error({ err, kioskId: kiosk.id }, 'could not read suspension orders');
      }
    })();
    // Always sent, rotated or not: a kiosk that was offline through a revoke still holds
    // the old secret and refuses typed codes made with the new one until it has this.
    counted(store.kiosks.passCodeSecret(kiosk.venueId)).then(
      (secret) => secret && socket.emit('venue:secret', secret),
      (err: unknown) => log.error({ err, kioskId: kiosk.id }, 'could not read the venue pass-code secret'),
    );
    // A kiosk that was offline through a switch learns the policy in force as soon as it is back.
    counted(store.policies.activeFor(kiosk.communityId)).then(
      (policy) => socket.emit('policy:update', policy),
      (err: unknown) => log.error({ err, kioskId: kiosk.id }, 'could not read the active policy'),
    );

    socket.on('policy:ack', async (payload: unknown, ack: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (res: Ack<{ version: number }>) => void) : () => undefined;
      const parsed = PolicyAck.safeParse(payload);
      if (!parsed.success) return reply({ ok: false, error: zodToApiError(parsed.error) });
      try {
        const active = await store.policies.activeFor(kiosk.communityId);
        if (parsed.data.version > active.version + MAX_VERSIONS_AHEAD) {
          return reply({ ok: false, error: { code: 'invalid', field: 'version', message: `no policy version ${parsed.data.version}; the newest is ${active.version}` } });
        }
        if (parsed.data.version > active.version) {
          // The tablet enforces a version this hub no longer has: the hub was restored from a
          // backup taken before it. Kept, so the admin sees it and the next switch is numbered
          // above it (a tablet never applies an older version than its own).
          await store.policies.acknowledge(kiosk.id, parsed.data.version, now());
          log.warn({ kioskId: kiosk.id, version: parsed.data.version, newest: active.version }, 'kiosk enforces a policy version newer than the hub has (restored from a backup?)');
          reply({
            ok: false,
            error: { code: 'conflict', field: 'version', message: `this tablet enforces policy version ${parsed.data.version}, newer than the hub's ${active.version}; switch the policy again` },
          });
          pushView(kiosk.id);
          return;
        }
        await store.policies.acknowledge(kiosk.id, parsed.data.version, now());
        log.info({ kioskId: kiosk.id, version: parsed.data.version }, 'policy acknowledged');
        reply({ ok: true, data: { version: parsed.data.version } });
        pushView(kiosk.id);
      } catch (err) {
        meter.dbError('ingest');
        log.error({ err, kioskId: kiosk.id }, 'policy ack could not be stored');
        reply({ ok: false, error: { code: 'internal', message: 'the hub could not record the acknowledgement' } });
      }
    });

    socket.on('pass:lookup', async (payload: unknown, ack: unknown) => {
      if (typeof ack !== 'function') return;
      const reply = ack as (res: Ack<{ signed: string }>) => void;
      const parsed = PassKey.safeParse(payload);
      if (!parsed.success) return reply({ ok: false, error: zodToApiError(parsed.error) });
      try {
        // Only the kiosk's own venue: a code says nothing about passes elsewhere.
        const pass = await store.passes.byCode(kiosk.venueId, parsed.data.code, parsed.data.minute);
        reply(pass ? { ok: true, data: { signed: pass.signed } } : { ok: false, error: { code: 'not_found', field: 'code', message: 'no such pass at this venue' } });
      } catch (err) {
        meter.dbError('read');
        log.error({ err, kioskId: kiosk.id }, 'pass lookup failed');
        reply({ ok: false, error: { code: 'internal', message: 'the hub could not look up the pass' } });
      }
    });

    socket.on('records:push', async (payload: unknown, ack: unknown) => {
      const arrived = performance.now();
      if (typeof ack !== 'function') {
        log.warn({ kioskId: kiosk.id }, 'records:push without an acknowledgement callback; ignored');
        return;
      }
      /** Every answer counted as it is sent: its outcome, its records', and how long since the batch arrived. */
      const reply = (res: Ack<PushResult>) => {
        (ack as (res: Ack<PushResult>) => void)(res);
        meter.batchAcked(res, (performance.now() - arrived) / 1000);
      };
      try {
        // A revoke cuts the socket at once, but a batch already on the wire can land after it:
        // a tablet the street office took out of service stores nothing more. This check spares the
        // work; the batch's own transaction decides (records.ts KioskRevokedError).
        if (!(await store.kiosks.isActive(kiosk.id))) {
          log.warn({ kioskId: kiosk.id }, 'batch refused: kiosk revoked or retired');
          reply({ ok: false, error: { code: 'unauthorized', field: 'token', message: 'this kiosk was revoked or retired; its records are no longer accepted' } });
          socket.disconnect(true);
          return;
        }
        const load = store.writeLoad();
        if (load.queuedWeight > limits.maxQueuedRecords) {
          const retryAfterMs = pauseFor(load.queuedWeight / Math.max(load.weightPerMs, 1), limits.slowBatchMs);
          log.warn({ kioskId: kiosk.id, queued: load.queuedWeight, retryAfterMs }, 'batch refused unstored: the hub is behind');
          reply({ ok: false, error: { code: 'rate_limited', message: 'the hub is behind; this batch will be resent', retryAfterMs } });
          return;
        }
        const queuedAt = performance.now();
        const receivedAt = now();
        const { ack: res, accepted } = await ingestBatch(store, kiosk, payload, receivedAt);
        const waited = performance.now() - queuedAt;
        if (res.ok) {
          const counts = { accepted: 0, duplicate: 0, rejected: 0 };
          for (const r of res.data.results) counts[r.status]++;
          log.debug({ kioskId: kiosk.id, ...counts, ms: Math.round(waited) }, 'batch stored');
          if (waited > limits.slowBatchMs) res.data.retryAfterMs = pauseFor(waited, limits.slowBatchMs);
        } else {
          log.warn({ kioskId: kiosk.id, error: res.error }, 'batch refused');
        }
        reply(res);
        // After the ack (never before), coalesced per venue: the venue's other doors learn the new count, when it can have changed.
        if (accepted.some((r) => r.type === 'entrance' || r.type === 'correction' || r.type === 'occupancy')) pushes.occupancy(kiosk.venueId);
        // Admissions (or their undoing) change the slot's seats for every door of the venue. A resend
        // the hub already had changes nothing, but the sender learns its records are in the figures.
        if (accepted.some((r) => r.type === 'entrance' || r.type === 'correction')) pushes.slots(kiosk.venueId);
        else if (res.ok && res.data.results.some((r) => r.status === 'duplicate')) {
          counted(pushSlots(kiosk.venueId, socket)).catch((err: unknown) => log.error({ err, venueId: kiosk.venueId }, 'could not count booking slots'));
        }
        // Flag rules over what the batch touched, after the ack too; inspectors' dashboards hear at once.
        if (accepted.length > 0) {
          evaluateBatch(store, kiosk, accepted, receivedAt, { connectedAt: socket.handshake.issued })
            .then((flags) => pushes.flags(flags))
            .catch((err: unknown) => {
              meter.dbError('ingest');
              log.error({ err, kioskId: kiosk.id }, 'could not evaluate flags');
            });
        }
      } catch (err) {
        // Revoked (on this hub or another) after the check above, before the batch's transaction: nothing stored.
        if (err instanceof KioskRevokedError) {
          log.warn({ kioskId: kiosk.id }, 'batch refused: kiosk revoked or retired');
          reply({ ok: false, error: { code: 'unauthorized', field: 'token', message: 'this kiosk was revoked or retired; its records are no longer accepted' } });
          socket.disconnect(true);
          return;
        }
        meter.dbError('ingest');
        log.error({ err, kioskId: kiosk.id }, 'batch could not be stored');
        reply({ ok: false, error: { code: 'internal', message: 'the hub could not store this batch; it will be resent' } });
      }
    });

    socket.on('kiosk:status', async (payload: unknown) => {
      const parsed = KioskStatus.safeParse(payload);
      if (!parsed.success) {
        log.warn({ kioskId: kiosk.id, error: zodToApiError(parsed.error) }, 'kiosk status refused');
        return;
      }
      // The backlog it reports now (metrics: checkin_kiosk_backlog_records), stored or not.
      socket.data.status = parsed.data;
      try {
        await store.kiosks.report(kiosk.id, parsed.data, now());
      } catch (err) {
        meter.dbError('ingest');
        log.error({ err, kioskId: kiosk.id }, 'could not store the kiosk status');
        return;
      }
      pushView(kiosk.id);
    });

    socket.on('kiosk:retire', async (payload: unknown, ack: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (res: Ack<RetireAnswer>) => void) : () => undefined;
      const parsed = RetireRequest.safeParse(payload);
      if (!parsed.success) return reply({ ok: false, error: zodToApiError(parsed.error) });
      let outcome;
      try {
        outcome = await store.kiosks.retire(kiosk.id, parsed.data.lastSeq, parsed.data.rejectedSeqs, now());
      } catch (err) {
        meter.dbError('ingest');
        log.error({ err, kioskId: kiosk.id }, 'kiosk could not be retired');
        return reply({ ok: false, error: { code: 'internal', message: 'the hub could not retire this kiosk; try again' } });
      }
      if (!outcome.ok && outcome.reason === 'missing') {
        // An answer, not an error: the tablet words the figure in its own language (zh or en).
        log.warn({ kioskId: kiosk.id, lastSeq: parsed.data.lastSeq, missing: outcome.missing }, 'kiosk retirement refused: records missing');
        return reply({ ok: true, data: { outcome: 'missing', missing: outcome.missing } });
      }
      if (!outcome.ok) {
        const error: ApiError =
          outcome.reason === 'behind'
            ? { code: 'invalid', field: 'lastSeq', message: `the hub holds records up to ${outcome.hubLastSeq} from this kiosk` }
            : { code: 'unauthorized', field: 'token', message: 'this kiosk was already revoked or retired' };
        log.warn({ kioskId: kiosk.id, error }, 'kiosk retirement refused');
        return reply({ ok: false, error });
      }
      log.info({ kioskId: kiosk.id, lastSeq: parsed.data.lastSeq }, 'kiosk retired');
      // Done by staff at the door, not by an account: the audit names the kiosk. Written
      // before the answer, so whoever hears "retired" finds it in the audit log too; a
      // failure to write it is logged and does not undo the retirement.
      await store.audit
        .record({
          at: outcome.retiredAt,
          accountId: null,
          accountName: null,
          action: 'kiosk_retire',
          target: kiosk.id,
          detail: { venueId: kiosk.venueId, entranceId: kiosk.entranceId, lastSeq: parsed.data.lastSeq, rejected: parsed.data.rejectedSeqs.length },
        })
        .catch((err: unknown) => {
          meter.dbError('ingest');
          log.error({ err, kioskId: kiosk.id }, 'could not audit the retirement');
        });
      reply({ ok: true, data: { outcome: 'retired', retiredAt: outcome.retiredAt } });
      // Its token is refused from now on; its open sockets go too (after the ack, which is written first).
      cutKiosk(io, kiosk.id).then(
        () => pushView(kiosk.id),
        (err: unknown) => log.error({ err, kioskId: kiosk.id }, 'could not cut the retired kiosk'),
      );
    });

    socket.on('disconnect', (reason) => {
      log.info({ kioskId: kiosk.id, reason }, 'kiosk disconnected');
      pushView(kiosk.id);
    });
  });
  return { close: () => badTokens.close() };
}
