/**
 * The gateway-facing probes (engine REST API, MCP gateways, OAuth, latency).
 * (Placeholder for the contract: filled by the gateway probe work.)
 */
import type { Probe } from './types.js';

export const gatewayProbes: readonly Probe[] = [];
