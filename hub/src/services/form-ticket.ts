import { randomBytes } from 'node:crypto';
import { hmac, sameText, toBase64Url } from '../../../shared/rules/bytes.js';

/**
 * The patron page's ticket: a venue code is accepted at the scan
 * only for its 30-second slot ± 1, yet filling the form takes longer. So the
 * page carries a ticket the hub signs when it serves the page (a MAC of the
 * code and the time, under a venue secret kiosks never hold), and the form
 * is accepted for FORM_TICKET_MS after that. An old photo of the screen gets
 * no ticket: its page is the "expired" one.
 *
 * Each serve's ticket is its own (a random nonce beside the time), so it names
 * one form: a form sent twice gets the pass it already made (services/passes.ts),
 * and two phones served in the same millisecond never share one.
 */
export const FORM_TICKET_MS = 15 * 60_000;
/** Clocks are one here (the hub's), but a request can be in flight across a second. */
const AHEAD_MS = 60_000;

const mac = async (secret: string, token: string, servedAt: number, nonce: string) =>
  toBase64Url((await hmac(secret, `form|${token}|${servedAt}|${nonce}`)).slice(0, 16));

export async function formTicket(secret: string, token: string, servedAt: number): Promise<string> {
  const nonce = randomBytes(8).toString('base64url');
  return `${servedAt}.${nonce}.${await mac(secret, token, servedAt, nonce)}`;
}

export async function checkFormTicket(secret: string, token: string, ticket: string, now: number): Promise<'ok' | 'forged' | 'expired'> {
  const m = /^(\d{1,15})\.([A-Za-z0-9_-]{11})\.([A-Za-z0-9_-]{22})$/.exec(ticket);
  if (!m) return 'forged';
  const servedAt = Number(m[1]);
  if (!sameText(await mac(secret, token, servedAt, m[2]!), m[3]!)) return 'forged';
  return servedAt > now + AHEAD_MS || now - servedAt > FORM_TICKET_MS ? 'expired' : 'ok';
}
