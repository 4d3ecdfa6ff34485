/**
 * `oauth.token-status`: the OAuth tool's token status for the probe user, read with
 * `@arcadeai/arcadejs` `tools.get(name, { user_id })` against the self-hosted API. It never
 * starts a flow (no `tools.authorize`, no `auth.start`).
 *
 * The answer's `requirements` are parsed through the engine API contract (`ToolRequirements` in
 * `contracts/arcade-engine/engine-api-responses.schema.json`): a requirement that does not match
 * it (no `token_status`, an unknown status) is an `error` naming the field.
 *
 * completed ⇒ pass; not_started / pending ⇒ known-gap with the reason; failed ⇒ fail; a tool
 * without an OAuth requirement, or an answer off the contract, ⇒ error (the target or the API is wrong).
 * The pure evaluator (tested on fixtures), the one Arcade API call (`getToolAuth`), then the probe.
 */
import { checkEngineAnswer, contractMismatch } from '../../contracts/engine-api.js';
import { outcome, type ProbeOutcome } from '../types.js';
import { describeFailure, observe, type Observed } from './errors.js';
import { apiKeyOf, defineGatewayProbe } from './gateway-probe.js';

/**
 * The part of arcadejs `ToolDefinition` this probe reads (`requirements.authorization`): the
 * contract's `ToolRequirements` / `AuthorizationRequirement`, as TypeScript.
 */
export interface ToolAuthView {
  readonly fully_qualified_name?: string;
  readonly requirements?: {
    readonly met?: boolean;
    readonly authorization?: {
      readonly provider_id?: string;
      readonly provider_type?: string;
      readonly status?: string;
      readonly status_reason?: string;
      readonly token_status?: string;
    };
  };
}

/** Arcade names tools `Toolkit.Tool`; the gateway writes `Toolkit_Tool`. Accepts both. */
export function arcadeToolName(name: string): string {
  return name.includes('.') ? name : name.replace('_', '.');
}

export function evaluateTokenStatus(tool: string, user: string, observed: Observed<ToolAuthView>): ProbeOutcome {
  const base = { tool, user };
  if (!observed.ok) {
    const f = observed.failure;
    if (f.kind === 'http' && f.status === 404) {
      return outcome.fail(`tool ${tool} is not known to the engine (HTTP 404)`, { ...base, http: 404 });
    }
    if (f.kind === 'http' && (f.status === 401 || f.status === 403)) {
      return outcome.error(`the tools API refused the API key (HTTP ${f.status}): check ARCADE_API_KEY`, {
        ...base,
        http: f.status,
      });
    }
    return outcome.error(`tools.get ${tool}: ${describeFailure(f)}`, base);
  }
  const requirements = observed.value.requirements;
  if (requirements !== undefined) {
    const contract = checkEngineAnswer('ToolRequirements', requirements);
    if (!contract.ok)
      return outcome.error(
        `the tools API answer for ${tool}: requirements ${contractMismatch('ToolRequirements', contract.problems)}`,
        base,
      );
  }
  const auth = requirements?.authorization;
  if (!auth) {
    return outcome.error(
      `${tool} declares no authorization requirement: oauth.tool must name a tool that needs OAuth`,
      base,
    );
  }
  const evidence = {
    ...base,
    provider: auth.provider_id ?? null,
    providerStatus: auth.status ?? null,
    tokenStatus: auth.token_status ?? null,
    ...(auth.status_reason ? { reason: auth.status_reason } : {}),
  };
  const reason = auth.status_reason ? `: ${auth.status_reason}` : '';
  switch (auth.token_status) {
    case 'completed':
      return outcome.pass(`${user} holds a completed ${auth.provider_id ?? 'OAuth'} token for ${tool}`, evidence);
    case 'pending':
    case 'not_started':
      return outcome.knownGap(
        `token ${auth.token_status} for ${user} on ${tool}${reason} (known gap: headless user ids ` +
          `stayed pending after consent; suspects: provider redirect/secret mismatch, default user verifier)`,
        evidence,
      );
    case 'failed':
      return outcome.fail(`token failed for ${user} on ${tool}${reason}`, evidence);
    default:
      return outcome.error(
        `no token status in the tools API answer for ${tool} (got ${JSON.stringify(auth.token_status ?? null)})`,
        evidence,
      );
  }
}

interface ToolGetOptions {
  readonly apiUrl: string;
  readonly apiKey: string;
  readonly tool: string;
  readonly user: string;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
}

/**
 * The one Arcade API call of this probe: `tools.get(name, { user_id })` with `@arcadeai/arcadejs`
 * against the self-hosted API host. No retries of its own (the runner owns retries), the probe's
 * signal and timeout honoured. The client is imported lazily.
 */
async function getToolAuth(options: ToolGetOptions): Promise<ToolAuthView> {
  const { default: Arcade } = await import('@arcadeai/arcadejs');
  const client = new Arcade({
    apiKey: options.apiKey,
    baseURL: options.apiUrl.replace(/\/+$/, ''),
    maxRetries: 0,
    timeout: options.timeoutMs,
  });
  return client.tools.get(options.tool, { user_id: options.user }, { signal: options.signal });
}

export const oauthTokenStatus = defineGatewayProbe({
  id: 'oauth.token-status',
  category: 'gateway',
  title: "The OAuth tool's token status for the probe user (no flow started)",
  needs: (t) => ({ api: t.urls.api, oauth: t.oauth }),
  needsApiKey: true,
  async run(ctx, { api, oauth }) {
    const apiKey = apiKeyOf(ctx);
    const tool = arcadeToolName(oauth.tool);
    const observed = await observe(() =>
      getToolAuth({ apiUrl: api, apiKey, tool, user: oauth.user, signal: ctx.signal, timeoutMs: ctx.timeoutMs }),
    );
    return evaluateTokenStatus(tool, oauth.user, ctx.redact.deep(observed));
  },
});
