/**
 * The `probes` section of an environment: what the post-deploy probes expect.
 * (Owned by the probe work; see src/probes/.)
 */
import { z } from 'zod';

export const ProbesSettingsSchema = z.unknown().optional();
export type ProbesSettings = z.output<typeof ProbesSettingsSchema>;
