/**
 * An answer of the API server refused, and what every such refusal says: the refusals of
 * ./bounded-client.ts (a redirect, an answer over the cap or unreadable), of a caller's `onAnswer`
 * (crds --from-cluster), and the second guard of drift's and the probes' reads and list pages
 * (`objectAnswer`, ./list.ts's page check). None is transient: another attempt would get the same
 * answer (and send the same credentials), so drift does not retry them.
 */
import { BodyOverCapError } from '../core/capped-body.js';
import { isRecord } from '../core/is-record.js';

/** How every refusal of an answer that cannot be the API server's says so (./bounded-client.ts, ./list.ts). */
export const NOT_THE_API = 'not the Kubernetes API, or a broken or hostile server';

/** The fix of every refusal of what the server answered (NOT_THE_API). */
export const SERVER_FIX = "fix: point the kubeconfig's server at the cluster's API server";

/**
 * An answer of the API server refused, to any request (discovery, a read, a list page, a pod's
 * log): by ./bounded-client.ts, by a caller's `onAnswer`, or by `objectAnswer` and ./list.ts's page check;
 * `code` is its HTTP status where the layer names one. (KubeGetError until session 15.)
 */
export class RefusedAnswerError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'RefusedAnswerError';
  }
}

/** A refusal (above): a redirect, an answer over the cap or unreadable, or what `onAnswer` refused. */
export function refusedAnswer(err: unknown): err is RefusedAnswerError | BodyOverCapError {
  return err instanceof RefusedAnswerError || err instanceof BodyOverCapError;
}

/**
 * `value` when it is an object (a read's or a list page's answer), else the refusal naming what it
 * is: client-node hands back whatever JSON the answer held (./bounded-client.ts).
 */
export function objectAnswer<T>(value: T): T {
  const refused = notObject(value);
  if (refused) throw refused;
  return value;
}

/** The refusal of an answer that is not an object (objectAnswer), or undefined. */
export function notObject(value: unknown): RefusedAnswerError | undefined {
  if (isRecord(value)) return undefined;
  const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
  return new RefusedAnswerError(`the API server answered with ${what}, not an object: ${NOT_THE_API} (${SERVER_FIX})`);
}
