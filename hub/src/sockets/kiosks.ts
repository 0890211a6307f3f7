import type { FastifyBaseLogger } from 'fastify';
import type { Server, Socket } from 'socket.io';
import { KIOSK_NAMESPACE, type HubToKioskEvents, type KioskToHubEvents } from '../../../shared/events.js';
import { zodToApiError, type Ack, type ApiError } from '../../../shared/schemas/errors.js';
import { PassKey, type PassLeft } from '../../../shared/schemas/pass.js';
import { KioskAuth, PolicyAck, type PushResult } from '../../../shared/schemas/sync.js';
import type { HubKeys } from '../keys.js';
import type { KioskIdentity } from '../store/kiosks.js';
import type { Store } from '../store/index.js';
import { evaluateBatch } from '../services/flags.js';
import { pushFlags } from './dashboards.js';
import { ingestBatch } from './ingest.js';

interface SocketData {
  kiosk: KioskIdentity;
  leftSince: number | undefined;
}
export type KioskServer = Server<KioskToHubEvents, HubToKioskEvents, Record<string, never>, SocketData>;
type KioskSocket = Socket<KioskToHubEvents, HubToKioskEvents, Record<string, never>, SocketData>;

/** Same lookback as the kiosk: counting restarts at a close-out, or after 36 h without one. */
const OCCUPANCY_LOOKBACK_MS = 36 * 60 * 60 * 1000;
/** Every kiosk of one venue: occupancy, exits and venue edits reach them here. */
export const venueRoom = (venueId: string) => `venue:${venueId}`;
/** Every kiosk of a community's venues: a community-wide policy switch reaches them here (issue 7). */
export const kioskCommunityRoom = (communityId: string) => `community:${communityId}`;
/** The one kiosk: revoking it cuts its socket here (issue 7). */
export const kioskRoom = (kioskId: string) => `kiosk:${kioskId}`;

export interface KioskSocketDeps {
  store: Store;
  keys: HubKeys;
  now: () => number;
  log: FastifyBaseLogger;
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
export function registerKioskSockets(io: KioskServer, { store, now, log }: KioskSocketDeps): void {
  const nsp = io.of(KIOSK_NAMESPACE);

  nsp.use(async (socket, next) => {
    const auth = KioskAuth.safeParse(socket.handshake.auth);
    if (!auth.success) {
      return next(refusal({ code: 'unauthorized', field: 'token', message: 'this kiosk is not enrolled: no token' }));
    }
    try {
      const kiosk = await store.kiosks.authenticate(auth.data.token, now());
      if (!kiosk) {
        log.warn({ address: socket.handshake.address }, 'kiosk socket refused: unknown or revoked token');
        return next(refusal({ code: 'unauthorized', field: 'token', message: 'unknown or revoked kiosk token' }));
      }
      socket.data.kiosk = kiosk;
      socket.data.leftSince = auth.data.leftSince;
      next();
    } catch (err) {
      log.error({ err }, 'kiosk authentication failed');
      next(refusal({ code: 'internal', message: 'the hub could not check this kiosk; retrying' }));
    }
  });

  /** Tells every kiosk of the venue how many are inside per entrance. */
  async function pushOccupancy(venueId: string, target: { emit: KioskSocket['emit'] } = nsp.to(venueRoom(venueId))) {
    const entrances = await store.occupancy.byVenue(venueId, now(), OCCUPANCY_LOOKBACK_MS);
    target.emit('occupancy:venue', { venueId, entrances, at: new Date(now()).toISOString() });
  }

  nsp.on('connection', (socket: KioskSocket) => {
    const { kiosk } = socket.data;
    log.info({ kioskId: kiosk.id }, 'kiosk connected');
    void socket.join([kioskCommunityRoom(kiosk.communityId), kioskRoom(kiosk.id)]);
    pushOccupancy(kiosk.venueId, socket).catch((err: unknown) => log.error({ err, kioskId: kiosk.id }, 'could not count occupancy'));
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
        send(await store.passes.leftSince(kiosk.venueId, since));
      } catch (err) {
        log.error({ err, kioskId: kiosk.id }, 'could not read passes that left');
      }
      await socket.join(venueRoom(kiosk.venueId));
      try {
        send(await store.passes.leftSince(kiosk.venueId, Math.max(since, readAt - 1000)));
      } catch (err) {
        log.error({ err, kioskId: kiosk.id }, 'could not read passes that left');
      }
    })();
    // A kiosk that was offline through a switch learns the policy in force as soon as it is back.
    store.policies.activeFor(kiosk.communityId).then(
      (policy) => socket.emit('policy:update', policy),
      (err: unknown) => log.error({ err, kioskId: kiosk.id }, 'could not read the active policy'),
    );

    socket.on('policy:ack', async (payload: unknown, ack: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (res: Ack<{ version: number }>) => void) : () => undefined;
      const parsed = PolicyAck.safeParse(payload);
      if (!parsed.success) return reply({ ok: false, error: zodToApiError(parsed.error) });
      try {
        const active = await store.policies.activeFor(kiosk.communityId);
        if (parsed.data.version > active.version) {
          return reply({ ok: false, error: { code: 'invalid', field: 'version', message: `no policy version ${parsed.data.version}; the newest is ${active.version}` } });
        }
        await store.policies.acknowledge(kiosk.id, parsed.data.version, now());
        log.info({ kioskId: kiosk.id, version: parsed.data.version }, 'policy acknowledged');
        reply({ ok: true, data: { version: parsed.data.version } });
      } catch (err) {
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
        log.error({ err, kioskId: kiosk.id }, 'pass lookup failed');
        reply({ ok: false, error: { code: 'internal', message: 'the hub could not look up the pass' } });
      }
    });

    socket.on('records:push', async (payload: unknown, ack: unknown) => {
      if (typeof ack !== 'function') {
        log.warn({ kioskId: kiosk.id }, 'records:push without an acknowledgement callback; ignored');
        return;
      }
      const reply = ack as (res: Ack<PushResult>) => void;
      try {
        const receivedAt = now();
        const { ack: res, accepted } = await ingestBatch(store, kiosk, payload, receivedAt);
        if (res.ok) {
          const counts = { accepted: 0, duplicate: 0, rejected: 0 };
          for (const r of res.data.results) counts[r.status]++;
          log.info({ kioskId: kiosk.id, ...counts }, 'batch stored');
        } else {
          log.warn({ kioskId: kiosk.id, error: res.error }, 'batch refused');
        }
        reply(res);
        // After the ack (never before): the venue's other doors learn the new count, when it can have changed.
        if (accepted.some((r) => r.type === 'entrance' || r.type === 'correction' || r.type === 'occupancy')) {
          pushOccupancy(kiosk.venueId).catch((err: unknown) => log.error({ err, venueId: kiosk.venueId }, 'could not count occupancy'));
        }
        // Flag rules over what the batch touched (issue 6), after the ack too; inspectors' dashboards hear at once.
        if (accepted.length > 0) {
          evaluateBatch(store, kiosk, accepted, receivedAt, { connectedAt: socket.handshake.issued })
            .then((flags) => pushFlags(io, flags))
            .catch((err: unknown) => log.error({ err, kioskId: kiosk.id }, 'could not evaluate flags'));
        }
      } catch (err) {
        log.error({ err, kioskId: kiosk.id }, 'batch could not be stored');
        reply({ ok: false, error: { code: 'internal', message: 'the hub could not store this batch; it will be resent' } });
      }
    });

    socket.on('disconnect', (reason) => log.info({ kioskId: kiosk.id, reason }, 'kiosk disconnected'));
  });
}
