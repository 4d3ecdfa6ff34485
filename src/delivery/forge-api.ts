/**
 * The part of the forges' REST APIs the pipeline uses, written down once from their documents:
 * the client (./forge.ts) builds its requests from it and parses the answers with its schemas,
 * and the loopback forge of the tests (test/support/forge.ts) refuses any request field or query
 * parameter it does not list, so neither can drift from what the forges document.
 *
 * GitHub (REST API version 2022-11-28; docs.github.com "REST API endpoints for pull requests" and
 * "REST API endpoints for issue comments"):
 * - `GET /repos/{owner}/{repo}/pulls` query `state` (open|closed|all), `head` ("filter pulls by head
 *   user or head organization and branch name in the format of user:ref-name"), `base`,
 *   `per_page` (max 100), `page`;
 * - `POST /repos/{owner}/{repo}/pulls` body `title`, `head`, `head_repo`, `base`, `body`,
 *   `maintainer_can_modify`, `draft`, `issue`; 201, or 422 "Validation Failed" (e.g. "A pull
 *   request already exists for owner:branch.");
 * - `PATCH /repos/{owner}/{repo}/pulls/{pull_number}` body `title`, `body`, `state`, `base`,
 *   `maintainer_can_modify`; 200;
 * - `GET /repos/{owner}/{repo}/issues/{issue_number}/comments` query `since`, `per_page`, `page`;
 *   `POST` the same path body `body`; 201; `PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}`
 *   body `body`; 200. A comment body longer than 65536 characters is refused with 422 "body is too
 *   long (maximum is 65536 characters)" (the API's validation message).
 * - Headers: `Authorization: Bearer <token>`, `Accept: application/vnd.github+json`,
 *   `X-GitHub-Api-Version: 2022-11-28`; a `User-Agent` is required.
 *
 * Gitea (the request bodies are vendored in contracts/forges/ and a test keeps REQUEST_FIELDS equal
 * to them; go-gitea/gitea `routers/api/v1/repo/pull.go` and `issue_comment.go`, swagger operations
 * repoListPullRequests, repoCreatePullRequest, repoEditPullRequest, issueGetComments,
 * issueCreateComment, issueEditComment; `modules/structs/pull.go`). Forgejo serves the same API.
 * - `GET /repos/{owner}/{repo}/pulls` query `state` (open|closed|all, default open), `sort`,
 *   `milestone`, `labels`, `poster`, `page`, `limit` (`base_branch` only on newer versions, no head
 *   filter: the client pages through the open pull requests); the server caps a page at
 *   MAX_RESPONSE_ITEMS (default 50, docs.gitea.com "API Usage");
 * - `POST /repos/{owner}/{repo}/pulls` body CreatePullRequestOption `head`, `base`, `title`
 *   (required), `body`, `assignee`, `assignees`, `milestone`, `labels`, `due_date`; 201, or 409
 *   when an unmerged pull request with the same head and base exists;
 * - `PATCH /repos/{owner}/{repo}/pulls/{index}` body EditPullRequestOption `title`, `body`, `base`,
 *   `assignee`, `assignees`, `milestone`, `labels`, `state`, `due_date`, `unset_due_date`,
 *   `allow_maintainer_edit`; answers **201** (a TODO in the source says it should be 200);
 * - `GET /repos/{owner}/{repo}/issues/{index}/comments` (not paged) query `since`, `before`;
 *   `POST` the same path body `body`; 201; `PATCH /repos/{owner}/{repo}/issues/comments/{id}` body
 *   `body`; 200.
 * - Header: `Authorization: token <token>` ("for historical reasons, Gitea needs the word token
 *   included before the API key token in an authorization header", docs.gitea.com "API Usage").
 *
 * Both answer a pull request with `number`, `title`, `body` (GitHub: null when empty), `state`,
 * `html_url`, `head.ref`, `base.ref`; a comment with `id`, `body`, `html_url`.
 */
import { z } from 'zod';
import type { ForgeType } from './forge-settings.js';

/** GitHub's REST API version the client asks for. */
export const GITHUB_API_VERSION = '2022-11-28';
/** GitHub refuses a comment or pull-request body longer than this many characters (422 "body is too long"). */
export const BODY_LIMIT = 65_536;
/** GitHub's largest page. */
export const GITHUB_PAGE = 100;
/** Gitea's default MAX_RESPONSE_ITEMS: a larger `limit` is cut to it. */
export const GITEA_PAGE = 50;

export type Operation = 'listPulls' | 'createPull' | 'updatePull' | 'listComments' | 'createComment' | 'updateComment';

/** The documented request body fields of each operation, per forge (none for the GETs). */
export const REQUEST_FIELDS: Readonly<Record<ForgeType, Readonly<Record<Operation, readonly string[]>>>> = {
  github: {
    listPulls: [],
    createPull: ['title', 'head', 'head_repo', 'base', 'body', 'maintainer_can_modify', 'draft', 'issue'],
    updatePull: ['title', 'body', 'state', 'base', 'maintainer_can_modify'],
    listComments: [],
    createComment: ['body'],
    updateComment: ['body'],
  },
  gitea: {
    listPulls: [],
    createPull: ['head', 'base', 'title', 'body', 'assignee', 'assignees', 'milestone', 'labels', 'due_date'],
    updatePull: [
      'title',
      'body',
      'base',
      'assignee',
      'assignees',
      'milestone',
      'labels',
      'state',
      'due_date',
      'unset_due_date',
      'allow_maintainer_edit',
    ],
    listComments: [],
    createComment: ['body'],
    updateComment: ['body'],
  },
};

/** The documented query parameters of the two list operations, per forge. */
export const QUERY_PARAMETERS: Readonly<
  Record<ForgeType, Readonly<Record<'listPulls' | 'listComments', readonly string[]>>>
> = {
  github: {
    listPulls: ['state', 'head', 'base', 'sort', 'direction', 'per_page', 'page'],
    listComments: ['since', 'per_page', 'page'],
  },
  gitea: {
    listPulls: ['state', 'sort', 'milestone', 'labels', 'poster', 'page', 'limit', 'base_branch'],
    listComments: ['since', 'before'],
  },
};

/** The required body fields of creating a pull request (both forges: head, base, title). */
export const CREATE_PULL_REQUIRED = ['head', 'base', 'title'] as const;

/** The status each forge documents for a successful write. */
export const SUCCESS_STATUS: Readonly<Record<ForgeType, Readonly<Record<Operation, number>>>> = {
  github: {
    listPulls: 200,
    createPull: 201,
    updatePull: 200,
    listComments: 200,
    createComment: 201,
    updateComment: 200,
  },
  gitea: {
    listPulls: 200,
    createPull: 201,
    updatePull: 201,
    listComments: 200,
    createComment: 201,
    updateComment: 200,
  },
};

const BranchRefSchema = z.object({
  ref: z.string().min(1),
  sha: z.string().optional(),
  /** Gitea: the repository id of the branch (`PRBranchInfo.repo_id`). */
  repo_id: z.number().optional(),
  /** GitHub and Gitea: the repository (`full_name` owner/name). */
  repo: z.object({ full_name: z.string().optional() }).nullable().optional(),
});

/** A pull request as both forges answer it (only the fields the pipeline reads; others are ignored). */
export const PullRequestSchema = z.object({
  number: z.number().int().positive(),
  title: z.string(),
  /** GitHub answers null for an empty body. */
  body: z.string().nullable().optional(),
  state: z.string(),
  html_url: z.string().min(1),
  head: BranchRefSchema,
  base: BranchRefSchema,
});

export const CommentSchema = z.object({
  id: z.number().int().positive(),
  body: z.string().nullable().optional(),
  html_url: z.string(),
});

/** The `Authorization` header value each forge documents for a token. */
export function authorization(type: ForgeType, token: string): string {
  return type === 'github' ? `Bearer ${token}` : `token ${token}`;
}

/** The line that replaces what did not fit. */
export const TRUNCATED_LINE =
  '**Truncated**: this text is longer than the forge accepts; the full text is in the workflow artifact.';

/**
 * `text` if it fits in `limit` characters (UTF-16 code units: never more code points than GitHub
 * counts), else its beginning, cut at a line end, and {@link TRUNCATED_LINE} (or `notice`).
 */
export function capBody(text: string, limit = BODY_LIMIT, notice = TRUNCATED_LINE): string {
  if (text.length <= limit) return text;
  const tail = `\n\n${notice}\n`;
  let cut = text.slice(0, Math.max(0, limit - tail.length));
  const lineEnd = cut.lastIndexOf('\n');
  if (lineEnd > cut.length / 2) cut = cut.slice(0, lineEnd);
  // Never leave half a surrogate pair, nor a code block open.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const fences = cut.split('\n').filter((line) => line.startsWith('```')).length;
  if (fences % 2 === 1) cut = `${cut.slice(0, Math.max(0, cut.length - 4))}\n\`\`\``;
  return `${cut}${tail}`;
}
