/**
 * A small client for the forge's REST API (GitHub or Gitea/Forgejo): find, open and update a pull
 * request, and find, create and update a pull request's comment. Requests follow ./forge-api.ts
 * (the documented fields); every call has a timeout; GETs and PATCHes (idempotent) are retried on
 * a network error, a timeout, 429 or 5xx with backoff, a POST never (a retried create could open
 * two), all by retryTransient (src/core/retry.ts), as every other command's requests. A client
 * given the run's interrupt signal stops a request or a backoff wait at once when it aborts
 * (Interrupted, exit 130/143), never waiting for the timeout.
 *
 * The token only ever travels in the `Authorization` header. Every message built from an answer
 * goes through the redactor: a forge echoing the token back (or a part) cannot put it in a log. Its
 * `html_url` is a `link` (./forge-link.ts): shown only when plainly the forge's own page.
 */
import { createRedactor, type Redactor } from '../core/redact.js';
import { systemClock, type Clock } from '../core/clock.js';
import { Interrupted, interruptedBy } from '../core/command-error.js';
import { RetriesExhausted, retryTransient, Transient } from '../core/retry.js';
import {
  authorization,
  capBody,
  CommentSchema,
  GITEA_PAGE,
  GITHUB_API_VERSION,
  GITHUB_PAGE,
  PullRequestSchema,
  SUCCESS_STATUS,
  type Operation,
} from './forge-api.js';
import { ForgeError, forgeMessage, redirectAnswer, refusal, RETRYABLE } from './forge-answer.js';
import { type ForgeLink, forgeLink } from './forge-link.js';
import type { ForgeConnection } from './forge-settings.js';
import { noAnswerReason } from '../core/fetch-failure.js';
import { BodyOverCapError, readBodyWithin } from '../core/capped-body.js';
import { printable } from '../core/printable.js';

export { type ForgeConnection, ForgeError };

export interface PullRequest {
  readonly number: number;
  readonly link: ForgeLink;
  readonly title: string;
  readonly body: string;
  readonly head: string;
  readonly base: string;
}

/** One call of the API: its method (a POST or PATCH may be done though it failed) and its path from the API base. */
interface Call {
  readonly method: 'GET' | 'POST' | 'PATCH';
  readonly path: string;
}

interface IssueComment {
  readonly id: number;
  readonly body: string;
  readonly link: ForgeLink;
}

/** The most of a forge answer read (a pull request is a few KiB): over it, a ForgeError naming the cap. */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

export class ForgeClient {
  private readonly base: string;
  private readonly redactor: Redactor;
  private readonly clock: Clock;
  /** The fix of an answer that cannot be the forge API's (over the cap, a list that is not one). */
  private readonly apiFix: string;

  /** `signal`: an interrupt (SIGINT/SIGTERM, the signal name its reason); a call it aborts throws Interrupted. */
  constructor(
    readonly conn: ForgeConnection,
    private readonly signal?: AbortSignal,
  ) {
    this.base = conn.apiUrl.replace(/\/+$/, '');
    this.redactor = createRedactor([conn.token]);
    this.clock = conn.clock ?? systemClock;
    this.apiFix = `check ${conn.prefix ?? 'GITOPS'}_API_URL names the forge's API`;
  }

  private repoPath(): string {
    return `/repos/${encodeURIComponent(this.conn.owner)}/${encodeURIComponent(this.conn.repository)}`;
  }

  private headers(): Record<string, string> {
    const common = {
      Authorization: authorization(this.conn.type, this.conn.token),
      'User-Agent': 'arcade-stack',
      'Content-Type': 'application/json',
    };
    return this.conn.type === 'github'
      ? { ...common, Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': GITHUB_API_VERSION }
      : { ...common, Accept: 'application/json' };
  }

  /**
   * One call: the parsed JSON of a documented success status, or a ForgeError; Interrupted when
   * the client's signal aborts during a request or a backoff wait (retryTransient, src/core/retry.ts).
   */
  private async call(
    operation: Operation,
    method: Call['method'],
    path: string,
    body?: Record<string, unknown>,
  ): Promise<{ status: number; json: unknown }> {
    const url = `${this.base}${path}`;
    const what = `${method} ${path}`;
    const expected = SUCCESS_STATUS[this.conn.type][operation];
    const retry = {
      attempts: method === 'POST' ? 1 : 1 + (this.conn.retries ?? 2),
      backoffMs: 1000,
      timeoutMs: this.conn.timeoutMs ?? 30_000,
      clock: this.clock,
      ...(this.signal ? { signal: this.signal } : {}),
    };
    // Whether a request left: an interrupt before the first one says `before`, not `during`.
    let sent = false;
    try {
      return await retryTransient(retry, async (signal) => {
        sent = true;
        const response = await fetch(url, {
          method,
          headers: this.headers(),
          ...(body ? { body: JSON.stringify(body) } : {}),
          signal,
          // Never followed: the Authorization header would go along to wherever it points.
          redirect: 'manual',
        }).catch((err: unknown) => {
          throw new Transient(`no answer from ${this.base} (${noAnswerReason(err)})`);
        });
        if (response.status >= 300 && response.status < 400) {
          await response.body?.cancel();
          const { text, fix } = redirectAnswer(response.headers.get('location'), url, this.base, this.conn.prefix);
          const message = this.redactor.text(`${what}: HTTP ${response.status}, ${text} (fix: ${fix})`);
          throw new ForgeError(message, { fix, maybeDone: method !== 'GET' });
        }
        // A create or update the forge answered with success was done, whatever its answer holds.
        const done = method !== 'GET' && response.ok;
        const text = await readBodyWithin(response, MAX_ANSWER_BYTES).catch((err: unknown) => err as Error);
        if (text instanceof BodyOverCapError) {
          const message = `${what}: HTTP ${response.status}, ${text.message} (fix: ${this.apiFix})`;
          throw new ForgeError(this.redactor.text(message), { fix: this.apiFix, maybeDone: done });
        }
        if (text instanceof Error)
          throw new Transient(`the answer from ${this.base} broke off (${noAnswerReason(text)})`);
        if (response.status === expected) {
          try {
            return { status: response.status, json: text === '' ? undefined : JSON.parse(text) };
          } catch {
            throw this.wrongAnswer({ method, path }, `HTTP ${response.status} with a body that is not JSON`);
          }
        }
        const { meaning, fix } = refusal(response.status, this.conn);
        const answer = `HTTP ${response.status}: ${forgeMessage(text)} (${meaning}${fix ? ` (fix: ${fix})` : ''})`;
        if (RETRYABLE(response.status)) throw new Transient(`${this.base} answered ${answer}`);
        const details = { fix, status: response.status, maybeDone: done };
        throw new ForgeError(this.redactor.text(`${what}: ${answer}`), details);
      });
    } catch (err) {
      if (this.signal?.aborted && err === this.signal.reason) {
        const by = interruptedBy(this.signal);
        throw new Interrupted(by, `interrupted by ${by} ${sent ? 'during' : 'before'} ${what} at ${this.base}`);
      }
      if (!(err instanceof RetriesExhausted)) throw err;
      // A deadline's reason is a bare `timed out after Ns`: the forge it waited for is named here.
      const reason = err.timedOut ? `no answer from ${this.base} (${err.message})` : err.message;
      const message = this.redactor.text(`${what}: ${reason} (after ${err.attempts} attempt(s))`);
      throw new ForgeError(message, { maybeDone: method !== 'GET' });
    }
  }

  /** A list's answer: an array, or a ForgeError (taken for "none", it would open a second pull request). */
  private list(json: unknown, what: string): unknown[] {
    if (Array.isArray(json)) return json;
    const got = json === null ? 'null' : typeof json;
    throw new ForgeError(`${what}: the answer is not a list (${got}) (fix: ${this.apiFix})`, { fix: this.apiFix });
  }

  /** A success that is not what `call` gets: a ForgeError, `maybeDone` for a POST or PATCH (it was done). */
  private wrongAnswer({ method, path }: Call, text: string): ForgeError {
    return new ForgeError(this.redactor.text(`${method} ${path}: ${text}`), { maybeDone: method !== 'GET' });
  }

  private pull(json: unknown, call: Call): PullRequest {
    const parsed = PullRequestSchema.safeParse(json);
    const issue = parsed.error?.issues[0];
    if (!parsed.success)
      throw this.wrongAnswer(call, `the answer is not a pull request (${issue?.path.join('.')}: ${issue?.message})`);
    const p = parsed.data;
    return {
      number: p.number,
      link: forgeLink(p.html_url, this.conn),
      title: p.title,
      body: p.body ?? '',
      head: printable(p.head.ref),
      base: printable(p.base.ref),
    };
  }

  /** The open pull request from `head` (a branch of this repository) into `base`, if any. */
  async findOpenPull(head: string, base: string): Promise<PullRequest | undefined> {
    const path = `${this.repoPath()}/pulls`;
    const isOurs = (json: unknown) => {
      const p = PullRequestSchema.safeParse(json);
      if (!p.success || p.data.head.ref !== head || p.data.base.ref !== base) return false;
      // A fork's branch of the same name is not ours.
      const { head: h, base: b } = p.data;
      if (h.repo_id !== undefined && b.repo_id !== undefined) return h.repo_id === b.repo_id;
      if (h.repo?.full_name && b.repo?.full_name) return h.repo.full_name === b.repo.full_name;
      return true;
    };
    if (this.conn.type === 'github') {
      const query = new URLSearchParams({
        state: 'open',
        head: `${this.conn.owner}:${head}`,
        base,
        per_page: String(GITHUB_PAGE),
      });
      const { json } = await this.call('listPulls', 'GET', `${path}?${query}`);
      const found = this.list(json, `GET ${path}`).find(isOurs);
      return found === undefined ? undefined : this.pull(found, { method: 'GET', path });
    }
    // Gitea has no head filter: page through the open pull requests (MAX_RESPONSE_ITEMS each).
    for (let page = 1; page <= 40; page++) {
      const query = new URLSearchParams({ state: 'open', limit: String(GITEA_PAGE), page: String(page) });
      const { json } = await this.call('listPulls', 'GET', `${path}?${query}`);
      const items = this.list(json, `GET ${path}`);
      const found = items.find(isOurs);
      if (found !== undefined) return this.pull(found, { method: 'GET', path });
      if (items.length === 0) return undefined;
    }
    throw new ForgeError(`${path}: more than ${40 * GITEA_PAGE} open pull requests to search for ${head}`);
  }

  /** Opens a pull request; `undefined` when the forge says one from `head` into `base` already exists. */
  async createPull(input: {
    head: string;
    base: string;
    title: string;
    body: string;
  }): Promise<PullRequest | undefined> {
    const path = `${this.repoPath()}/pulls`;
    try {
      const { json } = await this.call('createPull', 'POST', path, { ...input, body: capBody(input.body) });
      return this.pull(json, { method: 'POST', path });
    } catch (err) {
      // GitHub: 422 "A pull request already exists for owner:branch."; Gitea: 409 Conflict.
      const status = err instanceof ForgeError ? err.status : undefined;
      if (
        (this.conn.type === 'github' && status === 422 && /already exists/i.test((err as Error).message)) ||
        (this.conn.type === 'gitea' && status === 409)
      )
        return undefined;
      throw err;
    }
  }

  async updatePull(number: number, input: { title: string; body: string }): Promise<PullRequest> {
    const path = `${this.repoPath()}/pulls/${number}`;
    const { json } = await this.call('updatePull', 'PATCH', path, { title: input.title, body: capBody(input.body) });
    return this.pull(json, { method: 'PATCH', path });
  }

  /** Every comment of a pull request (its issue), oldest first. */
  async listComments(issue: number): Promise<IssueComment[]> {
    const path = `${this.repoPath()}/issues/${issue}/comments`;
    const out: IssueComment[] = [];
    for (let page = 1; page <= 50; page++) {
      const query =
        this.conn.type === 'github'
          ? `?${new URLSearchParams({ per_page: String(GITHUB_PAGE), page: String(page) })}`
          : '';
      const { json } = await this.call('listComments', 'GET', `${path}${query}`);
      const items = this.list(json, `GET ${path}`);
      for (const item of items) out.push(this.comment(item, { method: 'GET', path }));
      // Gitea answers every comment at once; GitHub pages of GITHUB_PAGE.
      if (this.conn.type === 'gitea' || items.length < GITHUB_PAGE) return out;
    }
    return out;
  }

  async createComment(issue: number, body: string): Promise<IssueComment> {
    const path = `${this.repoPath()}/issues/${issue}/comments`;
    const { json } = await this.call('createComment', 'POST', path, { body: capBody(body) });
    return this.comment(json, { method: 'POST', path });
  }

  async updateComment(id: number, body: string): Promise<IssueComment> {
    const path = `${this.repoPath()}/issues/comments/${id}`;
    const { json } = await this.call('updateComment', 'PATCH', path, { body: capBody(body) });
    return this.comment(json, { method: 'PATCH', path });
  }

  private comment(json: unknown, call: Call): IssueComment {
    const parsed = CommentSchema.safeParse(json);
    if (!parsed.success) throw this.wrongAnswer(call, 'the answer is not a comment');
    return { id: parsed.data.id, body: parsed.data.body ?? '', link: forgeLink(parsed.data.html_url, this.conn) };
  }
}
