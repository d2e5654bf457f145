import 'reflect-metadata';
import {
  allTopics,
  ConfigError,
  configProblemsByService,
  createDataSource,
  EventStore,
  ensureDatabaseExists,
  KafkaBus,
  kafkaConnection,
  keyringFromConfig,
  loadServiceConfig,
  maskUrlPassword,
  PersonalData,
  reencryptAll,
  SERVICE_NAMES,
  runMigrations,
  storedKeyUsage,
  SubjectKeys,
  topicNames,
} from '@app/common';
import { runDemo } from './demo/demo-driver';

/**
 * Operator commands, each also an npm script:
 *   config:check   this environment against every service's configuration rules; exit 78
 *                  listing each service's problems (docker compose's migrate job runs it first)
 *   db:create      create the database named in DATABASE_URL if missing
 *   db:migrate     run pending TypeORM migrations
 *   kafka:topics   create the platform's topics (KAFKA_TOPIC_PARTITIONS partitions)
 *   story <id>     print every event of one story (a correlation id), oldest first
 *   keys:status    rows per key id in every encrypted column, and which ids have no configured key
 *   keys:rotate [--batch-size=N]
 *                  re-encrypt every stored token and secret to TOKEN_ENCRYPTION_ACTIVE_KEY
 *                  (resumable, idempotent, safe while the services run; see docs/runbook.md)
 *   demo           drive the running platform against the HubSpot sandbox (npm run demo)
 */
async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  const { config, logger } = loadServiceConfig('tools');
  switch (command) {
    case 'config:check': {
      const failing = configProblemsByService(process.env, SERVICE_NAMES);
      for (const { service, problems } of failing) process.stderr.write(`${service}: ${new ConfigError(problems).message}\n`);
      if (failing.length > 0) process.exit(78); // EX_CONFIG, as the services
      logger.info('configuration valid for every service', { services: SERVICE_NAMES });
      return;
    }
    case 'db:create': {
      const created = await ensureDatabaseExists(config.databaseUrl);
      logger.info(created ? 'database created' : 'database already exists', { database: maskUrlPassword(config.databaseUrl) });
      return;
    }
    case 'db:migrate': {
      await ensureDatabaseExists(config.databaseUrl);
      const dataSource = await createDataSource(config.databaseUrl, 'hubspot-ai-tools', 2).initialize();
      try {
        const applied = await runMigrations(dataSource);
        logger.info(applied.length > 0 ? 'migrations applied' : 'schema is up to date', { applied });
      } finally {
        await dataSource.destroy();
      }
      return;
    }
    case 'kafka:topics': {
      const bus = new KafkaBus({ ...kafkaConnection(config, 'hubspot-ai-tools'), logger });
      const created = await bus.ensureTopics(allTopics(topicNames(config.kafkaTopicPrefix)), config.kafkaTopicPartitions, config.kafkaReplicationFactor);
      logger.info('topics ready', { created, partitions: config.kafkaTopicPartitions });
      await bus.disconnect();
      return;
    }
    case 'story': {
      const correlationId = args[0];
      if (!correlationId) throw new Error('usage: story <correlationId>');
      const dataSource = await createDataSource(config.databaseUrl, 'hubspot-ai-tools', 2).initialize();
      try {
        // Sealed personal data is opened with the keyring when this environment has it (else shown sealed).
        const personalData = new PersonalData(new SubjectKeys(dataSource, keyringFromConfig(config)));
        for (const event of await new EventStore(dataSource, personalData).readByCorrelation(correlationId)) {
          process.stdout.write(JSON.stringify(event) + '\n');
        }
      } finally {
        await dataSource.destroy();
      }
      return;
    }
    case 'keys:status': {
      const keyring = keyringFromConfig(config);
      const dataSource = await createDataSource(config.databaseUrl, 'hubspot-ai-tools', 2).initialize();
      try {
        const usage = (await storedKeyUsage(dataSource)).map((u) => ({ ...u, configured: u.keyId !== null && (keyring?.has(u.keyId) ?? false), active: u.keyId === keyring?.activeKeyId }));
        process.stdout.write(JSON.stringify({ activeKeyId: keyring?.activeKeyId ?? null, configuredKeyIds: keyring?.keyIds ?? [], usage }) + '\n');
      } finally {
        await dataSource.destroy();
      }
      return;
    }
    case 'keys:rotate': {
      const keyring = keyringFromConfig(config);
      if (!keyring) throw new Error('keys:rotate needs the keyring: set TOKEN_ENCRYPTION_KEYS (and TOKEN_ENCRYPTION_ACTIVE_KEY) or TOKEN_ENCRYPTION_KEY');
      const batchArg = args.find((a) => a.startsWith('--batch-size='));
      const batchSize = batchArg ? Number(batchArg.slice('--batch-size='.length)) : 500;
      if (!Number.isInteger(batchSize) || batchSize < 1 || args.some((a) => !a.startsWith('--batch-size='))) throw new Error('usage: keys:rotate [--batch-size=N]');
      const dataSource = await createDataSource(config.databaseUrl, 'hubspot-ai-tools', 2).initialize();
      try {
        logger.info('re-encrypting stored secrets', { activeKeyId: keyring.activeKeyId, configuredKeyIds: keyring.keyIds, batchSize });
        const report = await reencryptAll(dataSource, keyring, { batchSize, onBatch: (progress) => logger.info('batch re-encrypted', { ...progress }) });
        const remaining = (await storedKeyUsage(dataSource)).filter((u) => u.keyId !== keyring.activeKeyId);
        logger.info('re-encryption finished', { ...report, remaining });
        const failed = report.columns.reduce((n, c) => n + c.failed.length, 0);
        if (failed > 0) throw new Error(`${failed} row(s) did not decrypt and stay as they were (listed above by id)`);
        // Written meanwhile by an instance still encrypting with an older key: deploy the active key everywhere, run again.
        if (remaining.length > 0) logger.warn('some rows are not on the active key: run keys:rotate again once every service encrypts with it', { remaining });
      } finally {
        await dataSource.destroy();
      }
      return;
    }
    case 'demo':
      await runDemo({ config, print: (line) => process.stdout.write(line + '\n') });
      return;
    default:
      throw new Error(`unknown command "${command ?? ''}"; expected config:check, db:create, db:migrate, kafka:topics, story <correlationId>, keys:status, keys:rotate or demo`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
