import { parseArgs } from 'node:util';
import { allScopes, type Scope, scope as scopeSchema } from '@lifeline/contracts';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config/config.js';
import { migrateToLatest, openDatabase } from './db/database.js';
import { AppError } from './lib/errors.js';
import { roleScopes } from './modules/auth/principal.js';

const USAGE = `Usage: npm run lifeline -- <command> [options]

  migrate
      Apply pending database migrations.
  org add --name <name> --admin-email <e-mail> --admin-password <password> [--admin-name <name>]
      Create an organisation with a "Support" group and its first admin.
  user add --email <e-mail> --password <password> [--name <name>] [--role agent|admin] [--org-admin <e-mail>]
      Add a user to the organisation of the given admin (default: the only organisation).
  token add --email <user e-mail> --name <token name> [--scopes cases:read,cases:write]
      Create a personal API token for a user and print it (shown only once).

The database is chosen as for the server: DATABASE_URL, or SQLite under LIFELINE_DATA_DIR (default ./data).`;

class UsageError extends Error {}
const COMMANDS = ['migrate', 'org add', 'user add', 'token add'];

function required(values: Record<string, string | undefined>, name: string): string {
  const value = values[name];
  if (!value) throw new UsageError(`--${name} is required`);
  return value;
}

async function main(argv: string[]) {
  const [command, sub, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const key = `${command} ${sub ?? ''}`.trim();
  // Checked before the database is opened, so a typo creates no data directory.
  if (!COMMANDS.includes(key)) throw new UsageError(`Unknown command "${key}"`);
  const config = { ...loadConfig(), logLevel: 'warn' as const };
  const database = openDatabase(config.database, { checkpointer: false });
  try {
    const applied = await migrateToLatest(database);
    if (command === 'migrate') {
      process.stdout.write(
        applied.length ? `Applied: ${applied.join(', ')}\n` : 'The database is up to date.\n',
      );
      return;
    }
    const { server, services } = await buildApp({ config, database });
    try {
      const { values } = parseArgs({
        args: rest,
        options: {
          name: { type: 'string' },
          email: { type: 'string' },
          password: { type: 'string' },
          role: { type: 'string' },
          scopes: { type: 'string' },
          'admin-email': { type: 'string' },
          'admin-password': { type: 'string' },
          'admin-name': { type: 'string' },
          'org-admin': { type: 'string' },
        },
        strict: true,
      });
      if (key === 'org add') {
        const password = required(values, 'admin-password');
        if (password.length < 10) throw new UsageError('--admin-password must be at least 10 characters');
        const org = await services.people.createOrganization({
          name: required(values, 'name'),
          adminEmail: required(values, 'admin-email'),
          adminPassword: password,
          ...(values['admin-name'] ? { adminName: values['admin-name'] } : {}),
        });
        process.stdout.write(
          `Created organisation ${org.organizationId} with admin ${values['admin-email']}\n`,
        );
      } else if (key === 'user add') {
        const role = values.role ?? 'agent';
        if (role !== 'agent' && role !== 'admin') throw new UsageError('--role must be agent or admin');
        const orgId = await resolveOrg(services.people, values['org-admin']);
        const email = required(values, 'email');
        const password = required(values, 'password');
        if (password.length < 10) throw new UsageError('--password must be at least 10 characters');
        const user = await services.people.createUser(orgId, {
          email,
          password,
          name: values.name ?? email.split('@')[0] ?? email,
          role,
        });
        process.stdout.write(`Added ${user.role} ${user.email} (${user.id})\n`);
      } else if (key === 'token add') {
        const user = await services.people.findUserByEmail(required(values, 'email').toLowerCase());
        if (!user) throw new UsageError(`No user with e-mail ${values.email}`);
        if (user.active !== 1) throw new UsageError(`${user.email} is deactivated; reactivate them first.`);
        const scopes = (values.scopes ?? 'cases:read,cases:write').split(',').map((s) => s.trim());
        const bad = scopes.filter((s) => !scopeSchema.safeParse(s).success);
        if (bad.length)
          throw new UsageError(`Unknown scopes: ${bad.join(', ')} (known: ${allScopes.join(', ')})`);
        const created = await services.auth.createToken(
          {
            userId: user.id,
            userName: user.name,
            role: user.role,
            orgId: user.org_id,
            defaultGroupId: user.default_group_id,
            scopes: roleScopes[user.role],
            via: 'token',
          },
          required(values, 'name'),
          scopes as Scope[],
        );
        process.stdout.write(`${created.token}\n`);
      }
    } finally {
      await server.close();
    }
  } finally {
    await database.destroy();
  }
}

async function resolveOrg(
  people: Awaited<ReturnType<typeof buildApp>>['services']['people'],
  adminEmail?: string,
) {
  if (adminEmail) {
    const admin = await people.findUserByEmail(adminEmail.toLowerCase());
    if (admin?.role !== 'admin') throw new UsageError(`No admin with e-mail ${adminEmail}`);
    return admin.org_id;
  }
  const orgs = await people.someOrganizations(2);
  const [org] = orgs;
  if (!org)
    throw new UsageError('There is no organisation yet: run "org add" first, or start the server once.');
  if (orgs.length > 1)
    throw new UsageError('Several organisations exist: name one with --org-admin <admin e-mail>.');
  return org.id;
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (
    err instanceof UsageError ||
    (err instanceof Error && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))
  ) {
    process.stderr.write(`${err.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
  else if (err instanceof AppError) process.stderr.write(`${err.detail ?? err.title}\n`);
  else process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
