/**
 * The dashboard's forms, parsed once at the edge like the API's bodies: a handler gets a typed
 * object, and a form that is not one (a field that is not a string, an over-long value) is a 400
 * that changes nothing. Fields the form does not have are dropped.
 */
import { z } from 'zod';
import { validationError } from '../validation';

const field = (max: number) => z.string().max(max).optional().default('');

export const signInFormSchema = z.object({
  email: field(254),
  password: field(200),
  next: field(2000),
  csrf: field(200),
});

export const completeStepFormSchema = z.object({
  evidence: field(2000),
  back: field(2000),
  csrf: field(200),
});

export const passwordFormSchema = z.object({
  currentPassword: field(200),
  newPassword: field(201),
  confirmPassword: field(201),
  csrf: field(200),
});

export function parseForm<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}
