// The host's exit statuses: what cli.ts exits with, and what a service unit must not restart on.
export const EXIT_BAD_CONFIG = 2;
export const EXIT_TOKEN_REFUSED = 3;
export const EXIT_HOST_ID_TAKEN = 4;
export const EXIT_AGENT_UNUSABLE = 5;

/** Exits a restart will not fix: bad flags, a refused token, an agent that can never work. */
export const NO_RESTART_EXIT_STATUSES = [EXIT_BAD_CONFIG, EXIT_TOKEN_REFUSED, EXIT_AGENT_UNUSABLE];
