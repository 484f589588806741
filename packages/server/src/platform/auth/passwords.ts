import { hash, verify } from '@node-rs/argon2';
import { validationFailed } from '../errors.ts';

// argon2id with OWASP's suggested minimums (19 MiB, 2 passes).
const OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

export function checkPasswordStrength(password: unknown, field = 'password'): string {
  if (typeof password !== 'string' || password.length < 10) {
    throw validationFailed([{ field, code: 'weak_password', message: 'Use at least 10 characters' }]);
  }
  if (password.length > 200) throw validationFailed([{ field, code: 'too_long', message: 'At most 200 characters' }]);
  return password;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

// A real hash to verify against when the user does not exist, so timing does not reveal it.
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword('not-a-real-password-0000');
  return dummy;
}
