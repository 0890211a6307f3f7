import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { EnrolRequest, EnrolResponse } from '../../../../shared/schemas/enrolment.js';
import { ApiError } from '../../../../shared/schemas/errors.js';
import { posterToken } from '../../../../shared/rules/venue-code.js';
import { HttpError } from '../../errors.js';
import type { HubKeys } from '../../keys.js';
import type { Store } from '../../store/index.js';

const ErrorBody = z.object({ error: ApiError });

/** POST /api/kiosks/enrol: a new tablet spends a one-time code and gets its token and venue. */
export interface KioskRouteOptions {
  store: Store;
  keys: HubKeys;
  now: () => number;
  publicUrl: string | undefined;
}

export const kioskRoutes: FastifyPluginAsyncZod<KioskRouteOptions> = async (app, { store, keys, now, publicUrl }) => {
  app.post(
    '/api/kiosks/enrol',
    {
      // A code has 31^8 values, but guessing is still throttled per address.
      config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        body: EnrolRequest,
        response: { 201: EnrolResponse, 400: ErrorBody, 404: ErrorBody, 410: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const outcome = await store.kiosks.enrol(request.body.code, now());
      if (!outcome.ok) {
        if (outcome.reason === 'unknown') throw new HttpError(404, 'not_found', 'no such enrolment code', 'code');
        throw new HttpError(
          410,
          'expired',
          outcome.reason === 'used'
            ? 'this enrolment code was already used; ask the street office for a new one'
            : 'this enrolment code has expired; ask the street office for a new one',
          'code',
        );
      }
      const { kiosk, token } = outcome;
      const [venue, entrance, policy, passCodeSecret, posterSecret, self] = await Promise.all([
        store.venues.profile(kiosk.venueId),
        store.venues.entrance(kiosk.entranceId),
        store.policies.activeFor(kiosk.communityId),
        store.venues.codeSecret(kiosk.venueId),
        store.venues.posterSecret(kiosk.venueId),
        store.kiosks.byId(kiosk.id),
      ]);
      if (!venue || !entrance || !passCodeSecret || !posterSecret || !self) throw new Error(`kiosk ${kiosk.id} enrolled at a missing venue or entrance`);
      request.log.info({ kioskId: kiosk.id, venueId: venue.id }, 'kiosk enrolled');
      return reply.code(201).send({
        kioskId: kiosk.id,
        entranceId: entrance.id,
        entranceName: entrance.name,
        token,
        venue,
        policy,
        codeSecret: self.codeSecret,
        passCodeSecret,
        posterPath: `/posters/${await posterToken(posterSecret, entrance.id)}`,
        ...(publicUrl ? { publicUrl } : {}),
        passKey: keys.passSigning.publicKey as EnrolResponse['passKey'],
      });
    },
  );
};
