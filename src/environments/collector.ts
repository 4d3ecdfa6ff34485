/**
 * The `collector` section of an environment: the OpenTelemetry Collector's settings.
 * (Owned by the collector work; see src/constructs/otel-collector.ts.)
 */
import { z } from 'zod';

export const CollectorSettingsSchema = z.object({}).strict().prefault({});
export type CollectorSettings = z.output<typeof CollectorSettingsSchema>;
