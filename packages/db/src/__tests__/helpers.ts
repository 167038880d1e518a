import type { Bus } from '@tikethet/bus';
import type { BusMessage } from '@tikethet/domain';
import { createTestDatabase, type TestDatabase } from '@tikethet/testkit';
import { createDb, type DbClient } from '../client';
import { runMigrations } from '../migrate';
import { createUseCases, type UseCases } from '../use-cases';

/** A bus that records what is published, to check what reaches it and when. */
export class RecordingBus implements Bus {
  readonly published: BusMessage[] = [];
  healthy = true;
  async publish(message: BusMessage): Promise<void> {
    this.published.push(message);
  }
  subscribe(): () => void {
    return () => undefined;
  }
  onStatus(): () => void {
    return () => undefined;
  }
  async close(): Promise<void> {}
}

export interface DbFixture {
  database: TestDatabase;
  client: DbClient;
  bus: RecordingBus;
  uc: UseCases;
  close(): Promise<void>;
}

/** A fresh, migrated database for one test file, with use-cases on a recording bus. */
export async function setupDb(label: string, poolSize = 20): Promise<DbFixture> {
  const database = await createTestDatabase(label);
  await runMigrations(database.url);
  const client = createDb(database.url, { max: poolSize });
  const bus = new RecordingBus();
  const uc = createUseCases({ db: client.db, bus });
  return {
    database,
    client,
    bus,
    uc,
    async close() {
      await uc.flush();
      await client.close();
      await database.drop();
    },
  };
}

let nextId = 1000;
/** A fresh Telegram id for a test user. */
export function newTelegramId(): number {
  nextId += 1;
  return 5_000_000_000 + nextId;
}

export async function makeUser(
  uc: UseCases,
  role: 'customer' | 'agent' | 'admin' = 'customer',
  name = 'Test',
) {
  const id = newTelegramId();
  await uc.upsertUser(
    { id, first_name: name, language_code: 'ru' },
    { adminIds: role === 'admin' ? [id] : [] },
  );
  if (role === 'agent') {
    const adminId = newTelegramId();
    await uc.upsertUser({ id: adminId, first_name: 'Boot' }, { adminIds: [adminId] });
    await uc.setRole({ id: adminId, role: 'admin' }, id, 'agent');
  }
  return { id, role } as const;
}
