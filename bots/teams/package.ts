// The Teams app package an admin uploads (Teams admin center -> Manage apps -> Upload, or Developer
// Portal): manifest.json with the bot's id and domain filled in, and the two icons, zipped.
// Usage: MicrosoftAppId=<guid> TEAMS_BOT_DOMAIN=<host> npm run package:teams
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { decodePng } from './png.ts';
import { zip } from './zip.ts';

const DIR = new URL('../../manifest/teams/', import.meta.url);
/** Where `npm run package:teams` writes the zip (git-ignored). */
export const PACKAGE_PATH = new URL('build/helpdesk-triage-teams.zip', DIR);

const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'a GUID');
const command = z.object({ title: z.string().min(1).max(32), description: z.string().min(1).max(128) });
const scope = z.enum(['personal', 'team', 'groupChat']);

/** The manifest fields Teams requires (schema 1.22) and those this bot relies on. */
export const teamsManifest = z.looseObject({
  $schema: z.url(),
  manifestVersion: z.string().regex(/^1\.\d+$/),
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  id: guid,
  developer: z.looseObject({
    name: z.string().min(1).max(32),
    websiteUrl: z.url({ protocol: /^https$/ }),
    privacyUrl: z.url({ protocol: /^https$/ }),
    termsOfUseUrl: z.url({ protocol: /^https$/ }),
  }),
  name: z.object({ short: z.string().min(1).max(30), full: z.string().max(100) }),
  description: z.object({ short: z.string().min(1).max(80), full: z.string().min(1).max(4000) }),
  icons: z.object({ color: z.literal('color.png'), outline: z.literal('outline.png') }),
  accentColor: z.string().regex(/^#[0-9A-Fa-f]{6}$/),
  bots: z
    .array(
      z.looseObject({
        botId: guid,
        scopes: z.array(scope).min(1),
        supportsFiles: z.boolean(),
        isNotificationOnly: z.boolean(),
        commandLists: z.array(z.object({ scopes: z.array(scope), commands: z.array(command).max(10) })).max(3),
      }),
    )
    .length(1),
  validDomains: z.array(z.string().regex(/^[a-z0-9*.-]+(:\d+)?$/i, 'a host name')),
});
export type TeamsManifest = z.infer<typeof teamsManifest>;

/** The manifest as committed: `${{MicrosoftAppId}}` and `${{TEAMS_BOT_DOMAIN}}` still to fill in. */
export function manifestTemplate(): string {
  return readFileSync(new URL('manifest.json', DIR), 'utf8');
}

/** Fill the template's `${{NAME}}` placeholders; every one must have a value. */
export function fillManifest(template: string, values: Record<string, string | undefined>): TeamsManifest {
  const missing = new Set<string>();
  const filled = template.replace(/\$\{\{(\w+)\}\}/g, (_whole, name: string) => {
    const value = values[name]?.trim();
    if (!value) missing.add(name);
    // JSON.stringify escapes the value; the template's quotes are already there.
    return value ? JSON.stringify(value).slice(1, -1) : '';
  });
  if (missing.size) throw new Error(`set ${[...missing].join(' and ')} to build the Teams package`);
  const parsed = teamsManifest.safeParse(JSON.parse(filled));
  if (!parsed.success)
    throw new Error(
      `manifest.json: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

/** Icon sizes Teams requires, and whether the outline is white on transparent as it must be. */
export function checkIcons(color: Uint8Array, outline: Uint8Array): void {
  const c = decodePng(color);
  const o = decodePng(outline);
  if (c.width !== 192 || c.height !== 192) throw new Error(`color.png must be 192x192, not ${c.width}x${c.height}`);
  if (o.width !== 32 || o.height !== 32) throw new Error(`outline.png must be 32x32, not ${o.width}x${o.height}`);
  for (let i = 0; i < o.rgba.length; i += 4) {
    const white = o.rgba[i] === 255 && o.rgba[i + 1] === 255 && o.rgba[i + 2] === 255;
    if (!white && o.rgba[i + 3] !== 0) throw new Error('outline.png must be white on a transparent background');
  }
}

/** The package: the filled manifest and both icons, checked, as a zip. */
export function buildTeamsPackage(env: NodeJS.ProcessEnv): { manifest: TeamsManifest; zip: Buffer } {
  const manifest = fillManifest(manifestTemplate(), env);
  const color = readFileSync(new URL('color.png', DIR));
  const outline = readFileSync(new URL('outline.png', DIR));
  checkIcons(color, outline);
  const files = [
    { name: 'manifest.json', bytes: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) },
    { name: 'color.png', bytes: color },
    { name: 'outline.png', bytes: outline },
  ];
  return { manifest, zip: zip(files) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (typeof process.loadEnvFile === 'function') {
    try {
      process.loadEnvFile('.env');
    } catch {}
  }
  try {
    const built = buildTeamsPackage(process.env);
    mkdirSync(new URL('.', PACKAGE_PATH), { recursive: true });
    writeFileSync(PACKAGE_PATH, built.zip);
    console.log(`wrote ${fileURLToPath(PACKAGE_PATH)} (bot ${built.manifest.bots[0]?.botId}); upload it in Teams`);
  } catch (error) {
    console.error(`package:teams: ${(error as Error).message}`);
    process.exit(1);
  }
}
