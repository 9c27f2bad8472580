/**
 * How late a windowed message (a reminder held for office hours) may run before the send window is
 * checked again; `/health` counts staged reminders later than this as running late.
 */
export const SEND_WINDOW_GRACE_MS = 15 * 60_000;
