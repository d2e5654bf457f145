import 'reflect-metadata';
import {
  allTopics,
  createDataSource,
  EventStore,
  ensureDatabaseExists,
  KafkaBus,
  loadServiceConfig,
  maskUrlPassword,
  runMigrations,
  topicNames,
} from '@app/common';
import { runDemo } from './demo/demo-driver';

/**
 * Operator commands, each also an npm script:
 *   db:create      create the database named in DATABASE_URL if missing
 *   db:migrate     run pending TypeORM migrations
 *   kafka:topics   create the platform's topics (KAFKA_TOPIC_PARTITIONS partitions)
 *   story <id>     print every event of one story (a correlation id), oldest first
 *   demo           drive the running platform against the HubSpot sandbox (npm run demo)
 */
async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  const { config, logger } = loadServiceConfig('tools');
  switch (command) {
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
      const bus = new KafkaBus({ brokers: config.kafkaBrokers, clientId: 'hubspot-ai-tools', logger });
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
        for (const event of await new EventStore(dataSource).readByCorrelation(correlationId)) {
          process.stdout.write(JSON.stringify(event) + '\n');
        }
      } finally {
        await dataSource.destroy();
      }
      return;
    }
    case 'demo':
      await runDemo({ config, print: (line) => process.stdout.write(line + '\n') });
      return;
    default:
      throw new Error(`unknown command "${command ?? ''}"; expected db:create, db:migrate, kafka:topics, story <correlationId> or demo`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
