/**
 * `defineProbe`: a probe that declares the target fields it needs and receives their values,
 * typed, in its `run`.
 *
 *     export const collectorReady = defineProbe({
 *       id: 'otel.collector-ready',
 *       ...
 *       needs: (t) => ({ namespace: t.namespace, service: t.collectorService }),
 *       async run(ctx, { namespace, service }) { ... },  // namespace: string, service: string
 *     });
 *
 * When a needed field is missing, the probe is `skip` with the reasons (`engineSelector is
 * unresolved: …`) and the names of all it needs as evidence; `run` is never called. The runner
 * checks before the first attempt (`unmetNeeds`, no attempt counted), and the probe checks again
 * when run on its own (tests, a by-hand call), from the same declaration.
 */
import type { Field, ResolvedTargets } from './resolved-targets.js';
import { outcome, type Needs, type Probe, type ProbeContext, type ProbeOutcome } from './types.js';

/** The values of `N`, every one present. */
type NeededValues<N extends Needs> = { readonly [K in keyof N]: N[K] extends Field<infer T> ? T : never };

/** A probe as written: the `Probe` contract, with typed needs handed to `run`. */
export interface ProbeDefinition<N extends Needs> extends Omit<Probe, 'needs' | 'run'> {
  /** Picks the fields the probe needs from the resolved targets; any missing ⇒ `skip`. */
  needs(targets: ResolvedTargets): N;
  run(ctx: ProbeContext, need: NeededValues<N>): Promise<ProbeOutcome>;
}

type Checked<N extends Needs> =
  | { readonly ok: true; readonly values: NeededValues<N> }
  | { readonly ok: false; readonly skip: ProbeOutcome };

function check<N extends Needs>(needs: N): Checked<N> {
  const fields = Object.values(needs);
  const reasons = fields.flatMap((f) => (f.ok ? [] : [f.because]));
  if (reasons.length > 0)
    return { ok: false, skip: outcome.skip(reasons.join('; '), { needs: fields.map((f) => f.name) }) };
  const values = Object.fromEntries(Object.entries(needs).map(([key, f]) => [key, f.ok ? f.value : undefined]));
  return { ok: true, values: values as NeededValues<N> };
}

/** The `skip` outcome of a probe whose needs these targets do not meet, or undefined when they do. */
export function unmetNeeds(probe: Probe, targets: ResolvedTargets): ProbeOutcome | undefined {
  const checked = check(probe.needs(targets));
  return checked.ok ? undefined : checked.skip;
}

export function defineProbe<N extends Needs>(definition: ProbeDefinition<N>): Probe {
  const { run, ...rest } = definition;
  return {
    ...rest,
    async run(ctx) {
      const checked = check(definition.needs(ctx.targets));
      return checked.ok ? run(ctx, checked.values) : checked.skip;
    },
  };
}
