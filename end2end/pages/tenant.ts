import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { DEMO_PASSWORD } from './login-page';

const root = path.resolve(__dirname, '..', '..');
const server = path.join(path.resolve(root, process.env.CARGO_TARGET_DIR ?? 'target'), 'release', 'aurora');

/** Runs the server binary's admin CLI against the test server's database. */
function cli(args: string[], input?: string) {
  execFileSync(server, args, {
    cwd: root,
    input,
    env: { ...process.env, DATABASE_URL: `sqlite://${process.env.AURORA_E2E_DATA}/aurora.db`, RUST_LOG: 'warn' },
    stdio: ['pipe', 'ignore', 'inherit'],
  });
}

export type Person = { email: string; name: string };

/**
 * A company of its own for one test, so tests can run side by side without seeing each
 * other's cards: a global admin (Ana), a channels admin who is not a global admin (Elena),
 * three agents, and two funnels with different members.
 */
export class Tenant {
  readonly company: string;
  readonly admin: Person;
  readonly elena: Person;
  readonly bruno: Person;
  readonly carla: Person;
  readonly diego: Person;

  /** `language`: the company's default language (`create-company --language`). */
  constructor(label: string, language?: string) {
    const suffix = `${label}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const person = (first: string, name: string) => ({ email: `${first}.${suffix}@wizard.test`, name });
    this.company = `Wizard ${suffix}`;
    this.admin = person('ana', 'Ana Admin');
    this.elena = person('elena', 'Elena Ruiz');
    this.bruno = person('bruno', 'Bruno Díaz');
    this.carla = person('carla', 'Carla Núñez');
    this.diego = person('diego', 'Diego Pérez');
    cli(['create-company', '--name', this.company, '--channel-limit', '5', ...(language ? ['--language', language] : [])]);
    cli(['create-user', '--company', this.company, '--email', this.admin.email, '--name', this.admin.name, '--global-admin', '--channels-admin'], DEMO_PASSWORD);
    cli(['create-user', '--company', this.company, '--email', this.elena.email, '--name', this.elena.name, '--channels-admin'], DEMO_PASSWORD);
    for (const agent of [this.bruno, this.carla, this.diego]) {
      cli(['create-user', '--company', this.company, '--email', agent.email, '--name', agent.name], DEMO_PASSWORD);
    }
    cli(['create-funnel', '--company', this.company, '--name', 'Ventas', '--members', `${this.admin.email},${this.bruno.email}`]);
    cli(['create-funnel', '--company', this.company, '--name', 'Soporte', '--members', `${this.carla.email},${this.diego.email}`]);
  }
}

/** A Mexico City number nobody else in the run uses: `+52 55 12xx xxxx`. */
export function uniqueMexicanNumber(): { e164: string; national: string; international: string } {
  const tail = String(Math.floor(Math.random() * 1_000_000)).padStart(6, '0');
  const national = `55 12${tail.slice(0, 2)} ${tail.slice(2)}`;
  return { e164: `+525512${tail}`, national, international: `+52 ${national}` };
}
