/**
 * The runner: bounded concurrency, per-attempt timeout (error, with the signal aborted), skip on
 * unresolved or absent needs, error on missing API key / Kubernetes, bounded retries with
 * attempts counted, the --wait deadline for deployment probes, and registry order.
 */
import { describe, expect, it } from 'vitest';
import { runProbes } from '../../src/probes/runner.js';
import { resolveTargets, type ResolvedTargets } from '../../src/probes/resolved-targets.js';
import { TargetsSchema } from '../../src/environments/probe-targets.js';
import { outcome, type KubeReader, type Probe, type ProbeOutcome } from '../../src/probes/types.js';
import { virtualClock } from '../support/virtual-clock.js';
import { UNREACHABLE_TARGETS } from './unreachable-targets.js';

const targets: ResolvedTargets = resolveTargets(TargetsSchema.parse(UNREACHABLE_TARGETS));

function probe(id: string, run: Probe['run'], extra: Partial<Probe> = {}): Probe {
  return { id, category: 'deployment', title: id, needs: () => ({}), run, ...extra };
}

describe('runProbes', () => {
  it('never runs more probes at once than the bound, and returns results in the given order', async () => {
    // Each probe waits until the test lets it finish. Whenever the bound is reached (or nothing is
    // left to start), the probe started last is let go first: completion order is then fixed by
    // events, not by timers, and differs from the given order.
    const concurrency = 3;
    const count = 9;
    let started = 0;
    let running = 0;
    let peak = 0;
    const waiting: (() => void)[] = [];
    const release = (): void => {
      if (waiting.length === concurrency || started === count) waiting.pop()?.();
    };
    const probes = Array.from({ length: count }, (_, i) =>
      probe(`p${i}`, async () => {
        started++;
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          release();
        });
        running--;
        return outcome.pass(`p${i}`, { index: i });
      }),
    );
    const finished: string[] = [];
    const results = await runProbes({
      targets,
      probes,
      concurrency,
      onResult: (r) => {
        finished.push(r.id);
        queueMicrotask(release);
      },
    });
    expect(peak).toBe(concurrency);
    expect(results.map((r) => r.id)).toEqual(probes.map((p) => p.id));
    expect(finished).toEqual(['p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p1', 'p0']);
  });

  it('turns a timeout into error with the cause, aborting the signal, even when the probe ignores it', async () => {
    let aborted = false;
    const hangs = probe('hangs', (ctx) => {
      ctx.signal.addEventListener('abort', () => (aborted = true));
      return new Promise<ProbeOutcome>(() => undefined);
    });
    const [r] = await runProbes({ targets, probes: [hangs], timeoutMs: 50 });
    expect(r).toMatchObject({ status: 'error', detail: expect.stringContaining('timed out after 0.05s'), attempts: 1 });
    expect(aborted).toBe(true);
  });

  it('turns a thrown error into error with its message and cause code', async () => {
    const throws = probe('throws', async () => {
      throw Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    });
    const [r] = await runProbes({ targets, probes: [throws] });
    expect(r).toMatchObject({ status: 'error', detail: 'fetch failed (ECONNREFUSED)' });
  });

  it('a pass without evidence is error: no evidence is never a pass', async () => {
    const empty = probe('empty', async () => outcome.pass('all good'));
    const [r] = await runProbes({ targets, probes: [empty] });
    expect(r).toMatchObject({
      status: 'error',
      detail: 'passed without evidence (all good): no evidence is never a pass',
      attempts: 1,
    });
    const withEvidence = probe('seen', async () => outcome.pass('all good', { seen: 1 }));
    const [ok] = await runProbes({ targets, probes: [withEvidence] });
    expect(ok).toMatchObject({ status: 'pass', evidence: { seen: 1 } });
  });

  it('skips a probe whose need is unresolved or absent, with the reason, without running it', async () => {
    let ran = false;
    const p = (needs: Probe['needs']) =>
      probe(
        'needs',
        async () => {
          ran = true;
          return outcome.pass('ran');
        },
        { needs },
      );
    const [unresolved] = await runProbes({ targets, probes: [p((t) => ({ selector: t.engineSelector }))] });
    expect(unresolved).toMatchObject({
      status: 'skip',
      attempts: 0,
      detail: 'engineSelector is unresolved: engine labels not recorded in FACTS',
    });
    const [absent] = await runProbes({ targets, probes: [p((t) => ({ oauth: t.oauth }))] });
    expect(absent).toMatchObject({ status: 'skip', detail: 'oauth is not set' });
    expect(ran).toBe(false);
  });

  it('errors a probe needing the API key or Kubernetes when they are missing', async () => {
    const pass = async () => outcome.pass('ran', { ran: true });
    const [key] = await runProbes({ targets, probes: [probe('k', pass, { needsApiKey: true })] });
    expect(key).toMatchObject({ status: 'error', detail: expect.stringContaining('ARCADE_API_KEY is not set') });
    const [kube] = await runProbes({
      targets,
      probes: [probe('c', pass, { needsKube: true })],
      kubeUnavailable: 'no kubeconfig here',
    });
    expect(kube).toMatchObject({ status: 'error', detail: 'no kubeconfig here' });
  });

  it('retries eventually consistent probes with backoff, counting attempts, and stops at the bound', async () => {
    let calls = 0;
    const flaky = probe(
      'flaky',
      async () => (++calls < 3 ? outcome.fail('not yet') : outcome.pass('now', { attempt: calls })),
      { retry: 'eventual' },
    );
    const clock = virtualClock();
    const retries: string[] = [];
    const onRetry = (p: Probe, i: number, n: number, last: ProbeOutcome) =>
      retries.push(`${p.id}#${i} attempt ${n} after ${last.status}`);
    const [r] = await runProbes({ targets, probes: [flaky], retry: { attempts: 3, backoffMs: 5 }, clock, onRetry });
    expect(r).toMatchObject({ status: 'pass', attempts: 3 });
    expect(clock.sleeps).toEqual([5, 10]); // the backoff doubles
    expect(retries).toEqual(['flaky#0 attempt 2 after fail', 'flaky#0 attempt 3 after fail']);

    let never = 0;
    const broken = probe(
      'broken',
      async () => {
        never++;
        return outcome.fail('broken');
      },
      { retry: 'eventual' },
    );
    const [b] = await runProbes({ targets, probes: [broken], retry: { attempts: 2, backoffMs: 5 } });
    expect(b).toMatchObject({ status: 'fail', attempts: 2 });
    expect(never).toBe(2);

    let once = 0;
    const plain = probe('plain', async () => {
      once++;
      return outcome.fail('fact is wrong');
    });
    const [p] = await runProbes({ targets, probes: [plain], retry: { attempts: 5, backoffMs: 5 } });
    expect(p).toMatchObject({ status: 'fail', attempts: 1 });
    expect(once).toBe(1);
  });

  it('--wait retries deployment probes until they pass or the deadline, other categories keep the bound', async () => {
    // On a virtual clock: time moves only by the runner's own backoff, so the attempts are exact.
    const retry = { attempts: 1, backoffMs: 20, maxBackoffMs: 40 };
    const clock = virtualClock();
    const readyAfter = probe(
      'dep',
      async () => (clock.now() > 150 ? outcome.pass('ready', { ready: true }) : outcome.fail('rolling out')),
      { retry: 'eventual' },
    );
    const [r] = await runProbes({ targets, probes: [readyAfter], waitSeconds: 5, retry, clock });
    expect(r).toMatchObject({ status: 'pass', attempts: 6, durationMs: 180 });
    expect(clock.sleeps).toEqual([20, 40, 40, 40, 40]); // capped at maxBackoffMs

    const neverDep = probe('never', async () => outcome.fail('stuck'), { retry: 'eventual' });
    const until = virtualClock();
    const [n] = await runProbes({ targets, probes: [neverDep], waitSeconds: 0.3, retry, clock: until });
    expect(n).toMatchObject({ status: 'fail', detail: 'stuck (still failing after --wait 0.3s)', attempts: 8 });
    // No sleep that would end past the deadline: the last attempt starts at 260 ms, 260 + 40 is not < 300.
    expect(until.sleeps).toEqual([20, 40, 40, 40, 40, 40, 40]);

    const obs = probe('obs', async () => outcome.fail('no'), { retry: 'eventual', category: 'observability' });
    const bounded = virtualClock();
    const [o] = await runProbes({
      targets,
      probes: [obs],
      waitSeconds: 5,
      retry: { attempts: 2, backoffMs: 5 },
      clock: bounded,
    });
    expect(o!.attempts).toBe(2);
    expect(bounded.sleeps).toEqual([5]);
  });

  it('an interrupt ends the run itself: the attempt in flight aborted, no further attempt or probe, the run rejects', async () => {
    // A --wait loop whose second attempt hangs, ignoring its signal, and is interrupted there.
    const interrupt = new AbortController();
    const signals: AbortSignal[] = [];
    const hangs = probe(
      'dep',
      async (ctx) => {
        signals.push(ctx.signal);
        if (signals.length === 1) return outcome.fail('rolling out');
        interrupt.abort('SIGTERM');
        return new Promise<never>(() => {});
      },
      { retry: 'eventual' },
    );
    const started: string[] = [];
    const run = runProbes({
      targets,
      probes: [hangs, probe('next', async () => outcome.pass('ran', { ran: true }))],
      concurrency: 1,
      waitSeconds: 600,
      clock: virtualClock(),
      signal: interrupt.signal,
      onStart: (p) => started.push(p.id),
    });
    await expect(run).rejects.toBe('SIGTERM');
    expect({ started, attempts: signals.length, aborted: signals.map((s) => s.aborted) }).toEqual({
      started: ['dep'],
      attempts: 2,
      aborted: [true, true],
    });
  });

  it('hands each attempt a Kubernetes reader bound to its signal, and the revision', async () => {
    const seen: (string | undefined)[] = [];
    const reader = { server: 'http://k', get: async () => undefined, list: async () => [], log: async () => undefined };
    const p = probe(
      'kube',
      async (ctx) => {
        seen.push(ctx.revision, (await ctx.kube()).server);
        return outcome.pass('ok', { server: 'http://k' });
      },
      { needsKube: true },
    );
    await runProbes({
      targets,
      probes: [p],
      revision: 'abc1234',
      kube: async (signal) => {
        expect(signal).toBeInstanceOf(AbortSignal);
        return reader;
      },
    });
    expect(seen).toEqual(['abc1234', 'http://k']);
  });

  it('scrubs the API key from anything a probe returns', async () => {
    const key = `canary-${Math.random().toString(36).slice(2)}-key`;
    const leaky = probe('leaky', async (ctx) => outcome.fail(`server said ${ctx.apiKey}`, { echoed: [ctx.apiKey] }));
    const [r] = await runProbes({ targets, probes: [leaky], apiKey: key });
    expect(JSON.stringify(r)).not.toContain(key);
    expect(r).toMatchObject({
      detail: `server said [redacted …${key.slice(-4)}]`,
      evidence: { echoed: [`[redacted …${key.slice(-4)}]`] },
    });
  });

  it('redacts before a probe can shorten: ctx.redact, and Kubernetes answers (objects, lists, logs) already redacted', async () => {
    const key = `arc_${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
    const b64 = Buffer.from(`Bearer ${key}`).toString('base64');
    const reader: KubeReader = {
      server: 'http://k',
      get: async () => ({ status: { message: `denied for ${key}` } }),
      list: async () => [{ metadata: { annotations: { token: b64 } } }],
      log: async () => `line one\nAuthorization: Bearer ${key.toUpperCase()}\n`,
    };
    const seen: string[] = [];
    const p = probe(
      'kube',
      async (ctx) => {
        const kube = await ctx.kube();
        seen.push(
          JSON.stringify(await kube.get('v1', 'Pod', 'ns', 'p')),
          JSON.stringify(await kube.list('v1', 'Pod', 'ns')),
          (await kube.log('ns', 'p', undefined, 60)) ?? '',
        );
        // What a probe would do with a server's answer: redact, then quote an excerpt.
        seen.push(ctx.redact.text(`${'x'.repeat(70)}${key}`).slice(0, 80));
        return outcome.pass('ok', { n: 1 });
      },
      { needsKube: true },
    );
    const [r] = await runProbes({ targets, probes: [p], apiKey: key, kube: async () => reader });
    expect(r?.status).toBe('pass');
    for (const text of seen) {
      expect(text).toContain(`[redacted`);
      expect(text.toLowerCase()).not.toContain(key.slice(0, 8).toLowerCase());
      expect(text).not.toContain(b64.slice(12, 20));
    }
  });
});
