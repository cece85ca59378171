import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from './cli-io.js';

/** Profile names: safe as file names, and as AWS profile names. */
export const PROFILE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** AWS-shaped temporary credentials, as the gateway returns them. */
export interface CachedCredentials {
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
  readonly SessionToken: string;
  /** ISO 8601. */
  readonly Expiration: string;
}

/** What `fedgate login --profile NAME` leaves for `fedgate credentials --profile NAME`. */
export interface CachedSignIn {
  readonly version: 1;
  /** The gateway's URL. */
  readonly endpoint: string;
  /** The role picked on the verification page. */
  readonly role: string;
  readonly principalArn: string;
  /** The sign-in: renews the role credentials until it ends. A secret, like the credentials. */
  readonly refreshToken: string;
  /** ISO 8601: when the sign-in ends. */
  readonly signInExpiration: string;
  readonly credentials: CachedCredentials;
}

/**
 * Where a profile's sign-in is kept: `$XDG_CONFIG_HOME/fedgate/profiles/NAME.json`, else
 * `~/.config/fedgate/profiles/NAME.json` (XDG Base Directory).
 */
export function signInCachePath(profile: string, io: CliIo): string {
  const configHome =
    io.env.XDG_CONFIG_HOME !== undefined && io.env.XDG_CONFIG_HOME.startsWith('/')
      ? io.env.XDG_CONFIG_HOME
      : join(io.env.HOME ?? homedir(), '.config');
  return join(configHome, 'fedgate', 'profiles', `${profile}.json`);
}

/** The cached sign-in of a profile, or undefined when there is none (or it is unreadable). */
export async function readSignIn(profile: string, io: CliIo): Promise<CachedSignIn | undefined> {
  let text: string;
  try {
    text = await readFile(signInCachePath(profile, io), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<CachedSignIn>;
    return parsed.version === 1 && typeof parsed.refreshToken === 'string' && parsed.credentials !== undefined
      ? (parsed as CachedSignIn)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes a profile's sign-in readable by its owner only: the folders 0700, the file 0600, written under a
 * temporary name and renamed, so a concurrent `fedgate credentials` never reads half a file.
 */
export async function writeSignIn(profile: string, signIn: CachedSignIn, io: CliIo): Promise<string> {
  const path = signInCachePath(profile, io);
  const folder = join(path, '..');
  await mkdir(folder, { recursive: true, mode: 0o700 });
  await chmod(folder, 0o700);
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, `${JSON.stringify(signIn, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, path);
  return path;
}

/** Forgets a profile's sign-in (nothing happens when there is none). */
export async function deleteSignIn(profile: string, io: CliIo): Promise<void> {
  await rm(signInCachePath(profile, io), { force: true });
}
