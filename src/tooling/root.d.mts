// Types of root.mjs (plain JavaScript so the plain-node tools import it without tsx).

/** The repository's root folder, ending in a separator. */
export const REPO_ROOT: string;
