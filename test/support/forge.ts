/**
 * A loopback stand-in for a forge's REST API (GitHub or Gitea/Forgejo flavour): the pull-request
 * and issue-comment operations the pipeline uses, answering as each forge documents them
 * (src/delivery/forge-api.ts cites the documents; contracts/forges/ holds the vendored excerpts,
 * and test/delivery/forge-contract.test.ts checks that list against them).
 *
 * It is strict where the forges are lenient, so the client cannot come to rely on what is not
 * documented: a request body field or query parameter the forge does not document is refused
 * (400), as is a missing required field (422), a head branch the git remote does not hold (422),
 * a second open pull request for the same head and base (GitHub 422, Gitea 409), a body over
 * GitHub's 65536 characters (422), and an `Authorization` header not in the forge's own form (401).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  BODY_LIMIT,
  CREATE_PULL_REQUIRED,
  GITEA_PAGE,
  type Operation,
  QUERY_PARAMETERS,
  REQUEST_FIELDS,
  SUCCESS_STATUS,
} from '../../src/delivery/forge-api.js';
import type { ForgeType } from '../../src/delivery/forge-settings.js';
import { listenLoopback } from '../../src/loopback/listen.js';
import { pendingWhile } from './in-flight.js';

interface StandInPull {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  state: 'open' | 'closed';
  /** The repository the head branch lives in (`owner/name`); another one is a fork. */
  headRepository: string;
}

interface StandInComment {
  id: number;
  issue: number;
  body: string;
}

interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string;
  readonly status: number;
}

export interface ForgeStandIn {
  /** The API base URL (GitHub: the root; Gitea: `/api/v1`). */
  readonly apiUrl: string;
  readonly pulls: StandInPull[];
  readonly comments: StandInComment[];
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

interface ForgeOptions {
  readonly type: ForgeType;
  /** `owner/name` of the one repository served. */
  readonly repository: string;
  readonly token: string;
  /** Whether `branch` exists in the repository (the git remote's truth). @default every branch */
  readonly branchExists?: (branch: string) => boolean;
  /** A hostile forge: every error answer echoes the request's `Authorization` header in its message. */
  readonly echoAuthorization?: boolean;
  /** A hostile or broken forge: the `html_url` it answers for a pull request or comment, given its own. @default its own */
  readonly htmlUrl?: (own: string) => string;
  /**
   * A failing forge, asked about each request as it arrives (its token accepted): 'hang' leaves it
   * unanswered until the client goes away (recorded then, status 0), a status answers it with that
   * status and a message, undefined serves it.
   */
  readonly fault?: (request: { readonly method: string; readonly path: string }) => 'hang' | number | undefined;
}

function send(res: ServerResponse, status: number, answer: unknown): number {
  const echo = (res.req as IncomingMessage & { echo?: string }).echo;
  const body =
    echo !== undefined && status >= 400 && typeof answer === 'object' && answer !== null && 'message' in answer
      ? { ...answer, message: `${String(answer.message)} (you sent Authorization: ${echo})` }
      : answer;
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(body === undefined ? '' : JSON.stringify(body));
  return status;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : JSON.parse(text);
}

export async function startForge(options: ForgeOptions): Promise<ForgeStandIn> {
  const { type } = options;
  const prefix = type === 'gitea' ? '/api/v1' : '';
  const pulls: StandInPull[] = [];
  const comments: StandInComment[] = [];
  const requests: RecordedRequest[] = [];
  const repoPath = `${prefix}/repos/${options.repository}`;
  const expectedAuth = type === 'github' ? `Bearer ${options.token}` : `token ${options.token}`;
  let nextComment = 1000;
  let base = '';
  const htmlUrl = options.htmlUrl ?? ((own: string) => own);

  const pullJson = (p: StandInPull) => ({
    id: p.number + 5000,
    number: p.number,
    title: p.title,
    body: type === 'github' && p.body === '' ? null : p.body,
    state: p.state,
    html_url: htmlUrl(`${base}/${options.repository}/pull${type === 'github' ? '' : 's'}/${p.number}`),
    head: {
      ref: p.head,
      label: p.head,
      sha: '0'.repeat(40),
      ...(type === 'gitea' ? { repo_id: p.headRepository === options.repository ? 1 : 2 } : {}),
      repo: { full_name: p.headRepository },
    },
    base: {
      ref: p.base,
      label: p.base,
      sha: '0'.repeat(40),
      ...(type === 'gitea' ? { repo_id: 1 } : {}),
      repo: { full_name: options.repository },
    },
  });
  const commentJson = (c: StandInComment) => ({
    id: c.id,
    body: c.body,
    html_url: htmlUrl(`${base}/${options.repository}/issues/${c.issue}#issuecomment-${c.id}`),
    user: { login: 'arcade-bot' },
  });

  /**
   * A 400 for a body that is not an object or holds a field `operation` does not document, a 422
   * for a body over GitHub's limit; undefined when the body may pass.
   */
  const refuseBody = (res: ServerResponse, operation: Operation, body: unknown): number | undefined => {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return send(res, 400, { message: 'the body is not a JSON object' });
    const known = REQUEST_FIELDS[type][operation];
    const extra = Object.keys(body).find((k) => !known.includes(k));
    if (extra !== undefined) return send(res, 400, { message: `field '${extra}' is not documented for ${operation}` });
    const text = (body as Record<string, unknown>).body;
    if (type === 'github' && typeof text === 'string' && text.length > BODY_LIMIT)
      return send(res, 422, {
        message: 'Validation Failed',
        errors: [{ message: 'body is too long (maximum is 65536 characters)' }],
      });
    return undefined;
  };

  const route = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<number> => {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const auth = req.headers.authorization ?? '';
    if (auth !== expectedAuth) return send(res, 401, { message: 'Bad credentials' });
    if (type === 'github' && !req.headers['user-agent']) return send(res, 403, { message: 'User-Agent required' });
    const fault = options.fault?.({ method, path: `${path}${url.search}` });
    if (fault === 'hang') return new Promise<number>((resolve) => res.on('close', () => resolve(0)));
    if (fault !== undefined) return send(res, fault, { message: `a failure the test asked for (HTTP ${fault})` });
    const body = method === 'GET' ? undefined : await readJson(req);
    const query = (operation: 'listPulls' | 'listComments') =>
      [...url.searchParams.keys()].find((k) => !QUERY_PARAMETERS[type][operation].includes(k));

    if (path === `${repoPath}/pulls` && method === 'GET') {
      const bad = query('listPulls');
      if (bad) return send(res, 400, { message: `query parameter '${bad}' is not documented` });
      const state = url.searchParams.get('state') ?? 'open';
      let list = pulls.filter((p) => state === 'all' || p.state === state);
      if (type === 'github') {
        const head = url.searchParams.get('head');
        if (head) list = list.filter((p) => `${p.headRepository.split('/')[0]}:${p.head}` === head);
        const baseRef = url.searchParams.get('base');
        if (baseRef) list = list.filter((p) => p.base === baseRef);
        return send(res, SUCCESS_STATUS[type].listPulls, list.map(pullJson));
      }
      // Gitea: MAX_RESPONSE_ITEMS caps a page whatever `limit` asks.
      const limit = Math.min(Number(url.searchParams.get('limit') ?? GITEA_PAGE), GITEA_PAGE);
      const page = Number(url.searchParams.get('page') ?? 1);
      return send(res, SUCCESS_STATUS[type].listPulls, list.slice((page - 1) * limit, page * limit).map(pullJson));
    }
    if (path === `${repoPath}/pulls` && method === 'POST') {
      const refused = refuseBody(res, 'createPull', body);
      if (refused) return refused;
      const b = body as Record<string, unknown>;
      const missing = CREATE_PULL_REQUIRED.find((k) => typeof b[k] !== 'string' || b[k] === '');
      if (missing)
        return send(res, 422, { message: 'Validation Failed', errors: [{ field: missing, code: 'missing_field' }] });
      const head = String(b.head);
      if (!(options.branchExists?.(head) ?? true))
        return send(res, 422, { message: 'Validation Failed', errors: [{ field: 'head', code: 'invalid' }] });
      const open = pulls.find((p) => p.state === 'open' && p.head === head && p.base === b.base);
      if (open)
        return type === 'github'
          ? send(res, 422, {
              message: 'Validation Failed',
              errors: [{ message: `A pull request already exists for ${options.repository.split('/')[0]}:${head}.` }],
            })
          : send(res, 409, {
              message:
                `pull request is already exists [id: ${open.number}, issue_id: ${open.number}, head_repo_id: 1, ` +
                `base_repo_id: 1, head_branch: ${head}, base_branch: ${open.base}]`,
            });
      const pull: StandInPull = {
        number: pulls.length + comments.length + 1,
        title: String(b.title),
        body: typeof b.body === 'string' ? b.body : '',
        head,
        base: String(b.base),
        state: 'open',
        headRepository: options.repository,
      };
      pulls.push(pull);
      return send(res, SUCCESS_STATUS[type].createPull, pullJson(pull));
    }
    const pullMatch = new RegExp(`^${repoPath}/pulls/(\\d+)$`).exec(path);
    if (pullMatch && method === 'PATCH') {
      const refused = refuseBody(res, 'updatePull', body);
      if (refused) return refused;
      const b = body as Record<string, unknown>;
      const pull = pulls.find((p) => p.number === Number(pullMatch[1]));
      if (!pull) return send(res, 404, { message: 'Not Found' });
      if (typeof b.title === 'string') pull.title = b.title;
      if (typeof b.body === 'string') pull.body = b.body;
      return send(res, SUCCESS_STATUS[type].updatePull, pullJson(pull));
    }
    const commentsMatch = new RegExp(`^${repoPath}/issues/(\\d+)/comments$`).exec(path);
    if (commentsMatch) {
      const issue = Number(commentsMatch[1]);
      if (!pulls.some((p) => p.number === issue)) return send(res, 404, { message: 'Not Found' });
      if (method === 'GET') {
        const bad = query('listComments');
        if (bad) return send(res, 400, { message: `query parameter '${bad}' is not documented` });
        const mine = comments.filter((c) => c.issue === issue);
        if (type === 'gitea') return send(res, 200, mine.map(commentJson));
        const perPage = Number(url.searchParams.get('per_page') ?? 30);
        const page = Number(url.searchParams.get('page') ?? 1);
        return send(res, 200, mine.slice((page - 1) * perPage, page * perPage).map(commentJson));
      }
      if (method === 'POST') {
        const refused = refuseBody(res, 'createComment', body);
        if (refused) return refused;
        const b = body as Record<string, unknown>;
        if (typeof b.body !== 'string') return send(res, 422, { message: 'Validation Failed' });
        const comment: StandInComment = { id: nextComment++, issue, body: b.body };
        comments.push(comment);
        return send(res, SUCCESS_STATUS[type].createComment, commentJson(comment));
      }
    }
    const commentMatch = new RegExp(`^${repoPath}/issues/comments/(\\d+)$`).exec(path);
    if (commentMatch && method === 'PATCH') {
      const refused = refuseBody(res, 'updateComment', body);
      if (refused) return refused;
      const b = body as Record<string, unknown>;
      const comment = comments.find((c) => c.id === Number(commentMatch[1]));
      if (!comment) return send(res, 404, { message: 'Not Found' });
      if (typeof b.body === 'string') comment.body = b.body;
      return send(res, SUCCESS_STATUS[type].updateComment, commentJson(comment));
    }
    return send(res, 404, { message: 'Not Found' });
  };

  const { server, url: address } = await listenLoopback((req, res) => {
    const url = new URL(req.url ?? '/', 'http://loopback');
    const auth = req.headers.authorization ?? '';
    if (options.echoAuthorization) Object.assign(req, { echo: auth });
    const done = pendingWhile(`forge stand-in (${type}) ${req.method} ${url.pathname}${url.search}`);
    void route(req, res, url)
      .catch(() => send(res, 400, { message: 'Problems parsing JSON' }))
      .then((status) => {
        done();
        requests.push({
          method: req.method ?? 'GET',
          path: `${url.pathname}${url.search}`,
          authorization: auth,
          status,
        });
      });
  });
  base = address;
  return {
    apiUrl: `${base}${prefix}`,
    pulls,
    comments,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
