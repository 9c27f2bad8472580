/** Row ids written by hand (not by Prisma's cuid()): a prefix naming the table and 20 random hex digits. */
import crypto from 'node:crypto';

export const newId = (prefix: string): string => `${prefix}_${crypto.randomUUID().replace(/-/g, '').slice(0, 20)}`;
