/** API token lifetimes, in a module of its own so that `conciliaflow --help` can name them cheaply. */
export const DEFAULT_TOKEN_DAYS = 90;
export const MAX_TOKEN_DAYS = 366;
