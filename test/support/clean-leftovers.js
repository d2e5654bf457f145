// Run by scripts/test.sh before the tests: removes what earlier test runs on this
// machine may have left behind (their topics on the shared broker, their databases
// when a run was killed), so the broker does not accumulate partitions run after run.
const { Kafka, logLevel } = require('kafkajs');
const { Client } = require('pg');

async function main() {
  const kafka = new Kafka({ clientId: 'test-cleanup', brokers: (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => t.startsWith('test-') || t.startsWith('bench-'));
  if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30000 });
  await admin.disconnect();

  const pg = new Client({ connectionString: `${process.env.TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432'}/postgres` });
  await pg.connect();
  const { rows } = await pg.query("SELECT datname FROM pg_database WHERE datname LIKE 'hubspot\\_ai\\_test\\_%' OR datname LIKE 'hubspot\\_ai\\_bench\\_%'");
  for (const { datname } of rows) await pg.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  await pg.end();
  process.stdout.write(`removed ${topics.length} leftover test topics and ${rows.length} leftover test databases\n`);
}

main().catch((error) => {
  // Cleanup is best effort: a failure here must not hide the test results.
  process.stdout.write(`leftover cleanup skipped: ${error.message}\n`);
});
