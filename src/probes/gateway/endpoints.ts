/**
 * `endpoints.health`: the engine's `/v1/health` and `/v1/config`, and the coordinator,
 * dashboard and experience hosts. Pure evaluators (tested on fixtures), then the probe.
 *
 * Both engine answers are parsed through the engine API contract
 * (`contracts/arcade-engine/engine-api-responses.schema.json`, written from the engine's published
 * OpenAPI document; `src/contracts/engine-api.ts`): an answer that does not match it is an
 * `error` naming the field, never a guess.
 *
 * - `/v1/health` (`HealthResponse`): 200 with `{"healthy": true}` passes; 503 `{"healthy": false,
 *   "reason": ...}` fails with the reason; any other answer (HTML, no boolean `healthy`, other
 *   status) is a malformed or unexpected response: `error`.
 * - `/v1/config` (`EngineConfigResponse`): `dashboard.coordinatorUri` must equal the expected
 *   coordinator URI.
 * - Either engine answer that reaches the read cap (64 KiB, ./http.ts; one of exactly the cap
 *   included, since nothing past it is waited for) is an `error` naming the cap: its cut start is
 *   never parsed as if it were the whole answer.
 * - hosts: any answer below 500 (redirects and 401 included: the host is up and not failing).
 */
import { checkEngineAnswer, contractMismatch } from '../../contracts/engine-api.js';
import { combineChecks, joinUrl, type Check } from './checks.js';
import { describeFailure } from './errors.js';
import { defineGatewayProbe } from './gateway-probe.js';
import { type HttpAnswer, httpGet, type HttpObservation } from './http.js';
import { cutBodyMessage } from '../../core/capped-body.js';
import { printable, printableLine } from '../../core/printable.js';
import { isRecord } from '../../core/is-record.js';

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** An answer cut at its cap (http.ts) is not parsed as if whole: an error naming the cap. */
function cutAnswer(name: string, answer: HttpAnswer): Check | undefined {
  if (answer.cutAt === undefined) return undefined;
  return { name, status: 'error', detail: `HTTP ${answer.status}: ${cutBodyMessage(answer.cutAt)}` };
}

export function evaluateHealth(observation: HttpObservation): Check {
  const name = '/v1/health';
  if (!observation.ok) return { name, status: 'error', detail: describeFailure(observation.failure) };
  const cut = cutAnswer(name, observation.answer);
  if (cut) return cut;
  const { status, body } = observation.answer;
  const json = parseJson(body);
  if (isRecord(json) && typeof json.healthy === 'boolean') {
    const contract = checkEngineAnswer('HealthResponse', json);
    if (!contract.ok)
      return {
        name,
        status: 'error',
        detail: `HTTP ${status}: the answer ${contractMismatch('HealthResponse', contract.problems)}`,
      };
  }
  const healthy = isRecord(json) ? json.healthy : undefined;
  if (status === 200 && healthy === true) return { name, status: 'pass', detail: '200 {"healthy":true}' };
  if (status === 503 && healthy === false) {
    const reason = isRecord(json) && typeof json.reason === 'string' && json.reason ? json.reason : '(no reason given)';
    return { name, status: 'fail', detail: `engine unhealthy (503): ${printable(reason)}` };
  }
  if (typeof healthy !== 'boolean') {
    return {
      name,
      status: 'error',
      detail: `malformed response (HTTP ${status}): expected JSON {"healthy": true}, got "${printableLine(body, 80)}"`,
    };
  }
  if (healthy === false) return { name, status: 'fail', detail: `engine reports healthy=false (HTTP ${status})` };
  return { name, status: 'error', detail: `unexpected HTTP ${status} with healthy=true` };
}

/** Compares URIs ignoring a trailing slash and the case of scheme and host. */
export function sameUri(a: string, b: string): boolean {
  const norm = (u: string): string => {
    try {
      const url = new URL(u);
      return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}${url.search}`;
    } catch {
      return u.replace(/\/+$/, '');
    }
  };
  return norm(a) === norm(b);
}

export function evaluateConfig(observation: HttpObservation, expectedCoordinatorUri: string): Check {
  const name = '/v1/config';
  if (!observation.ok) return { name, status: 'error', detail: describeFailure(observation.failure) };
  const cut = cutAnswer(name, observation.answer);
  if (cut) return cut;
  const { status, body } = observation.answer;
  if (status !== 200) return { name, status: 'error', detail: `HTTP ${status}: "${printableLine(body, 80)}"` };
  const json = parseJson(body);
  if (!isRecord(json))
    return {
      name,
      status: 'error',
      detail: `malformed response: expected a JSON object, got "${printableLine(body, 80)}"`,
    };
  const contract = checkEngineAnswer('EngineConfigResponse', json);
  if (!contract.ok) {
    return {
      name,
      status: 'error',
      detail: `the answer ${contractMismatch('EngineConfigResponse', contract.problems)} (top-level keys: ${Object.keys(json).join(', ') || 'none'})`,
    };
  }
  const uri = String((json.dashboard as Record<string, unknown>).coordinatorUri);
  if (!sameUri(uri, expectedCoordinatorUri)) {
    return { name, status: 'fail', detail: `coordinator URI is ${uri}, expected ${expectedCoordinatorUri}` };
  }
  return { name, status: 'pass', detail: `coordinator URI ${uri}` };
}

export function evaluateHost(name: string, observation: HttpObservation): Check {
  if (!observation.ok) return { name, status: 'error', detail: describeFailure(observation.failure) };
  const { status } = observation.answer;
  if (status >= 500) return { name, status: 'error', detail: `server error HTTP ${status}` };
  return { name, status: 'pass', detail: `HTTP ${status}` };
}

export const endpointsHealth = defineGatewayProbe({
  id: 'endpoints.health',
  category: 'deployment',
  title: 'Engine /v1/health and /v1/config, coordinator, dashboard and experience answer',
  needs: (t) => ({
    api: t.urls.api,
    coordinator: t.urls.coordinator,
    dashboard: t.urls.dashboard,
    experience: t.urls.experience,
    expectedCoordinatorUri: t.expectedCoordinatorUri,
  }),
  retry: 'eventual',
  async run(ctx, { api, expectedCoordinatorUri, ...hostUrls }) {
    const get = (url: string, withKey = false) =>
      httpGet(url, {
        signal: ctx.signal,
        timeoutMs: ctx.timeoutMs,
        ...(withKey && ctx.apiKey ? { headers: { authorization: `Bearer ${ctx.apiKey}` } } : {}),
      });
    const hostNames = ['coordinator', 'dashboard', 'experience'] as const;
    const [health, config, ...hosts] = await Promise.all([
      get(joinUrl(api, 'v1/health')),
      get(joinUrl(api, 'v1/config'), true),
      ...hostNames.map((name) => get(hostUrls[name])),
    ]);
    const r = ctx.redact;
    const checks = [
      evaluateHealth(r.deep(health)),
      evaluateConfig(r.deep(config), expectedCoordinatorUri),
      ...hostNames.map((name, i) =>
        evaluateHost(name, r.deep(hosts[i] ?? { ok: false, failure: { kind: 'network', message: 'not requested' } })),
      ),
    ];
    return combineChecks(
      checks,
      'engine healthy, coordinator URI as expected, coordinator/dashboard/experience answer',
      { api },
    );
  },
});
