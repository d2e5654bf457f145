import { eventually, secureListener, uniquePrefix } from '../../../../test/support/kafka';
import { anEvent } from '../../../../test/support/builders';
import { memoryLogger } from '../../../../test/support/logger';
import { readPemFile } from '../config/pem-file';
import type { SaslMechanism } from '../config/app-config';
import { Outcome } from './handler-outcome';
import { KafkaBus } from './kafka-bus';
import type { KafkaConnection } from './kafka-client-config';
import { KafkaConnectError } from './kafka-connect-error';

/**
 * The bus over the test broker's secure listeners (scripts/kafka.sh): SASL_SSL with
 * SCRAM, and SSL with client certificates, verified against the broker's test CA.
 */
const found = secureListener();
if ('skipped' in found) console.warn(`kafka-secure.int-spec: skipped, ${found.skipped}`);
const describeSecure = 'listener' in found ? describe : describe.skip;

describeSecure('KafkaBus over TLS and SASL (real broker, secure listeners)', () => {
  const listener = 'listener' in found ? found.listener : undefined!;
  const { logger } = memoryLogger();
  const prefix = uniquePrefix('secure');
  const buses: KafkaBus[] = [];
  const busOver = (connection: Omit<KafkaConnection, 'brokers' | 'clientId'> & { port: number }) => {
    const { port, ...rest } = connection;
    const bus = new KafkaBus({ brokers: [`${listener.host}:${port}`], clientId: 'secure-test', logger, connectionTimeoutMs: 3_000, ...rest });
    buses.push(bus);
    return bus;
  };
  const ca = () => readPemFile(listener.caFile, 'certificate');
  const scram = (mechanism: SaslMechanism, password = listener.password) => busOver({ port: listener.saslSslPort, tls: { ca: ca() }, sasl: { mechanism, username: listener.username, password } });

  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus.disconnect()));
  });

  /** Publishes one event through `bus` and reads it back through a consumer of the same bus. */
  async function roundTrip(bus: KafkaBus, label: string): Promise<void> {
    const topic = `${prefix}.${label}`;
    expect(await bus.ensureTopics([topic], 1, 1)).toEqual([topic]);
    const event = anEvent({ portalId: 7, data: { label } });
    const received: string[] = [];
    await bus.consume({ groupId: `${topic}.group`, topics: [topic], maxAttempts: 1, retryBaseDelayMs: 10, handle: async (e) => (received.push(e.id), Outcome.done()) });
    await bus.publish(topic, [event]);
    await eventually(async () => received.includes(event.id), 20_000, `the event back from ${topic}`);
  }

  it.each(['scram-sha-256', 'scram-sha-512'] as const)('publishes and consumes over SASL_SSL with %s and the test CA', async (mechanism) => {
    await roundTrip(scram(mechanism), mechanism);
  }, 60_000);

  it('publishes and consumes over SSL with a client certificate', async () => {
    const bus = busOver({ port: listener.sslPort, tls: { ca: ca(), cert: readPemFile(listener.clientCertFile, 'certificate'), key: readPemFile(listener.clientKeyFile, 'private key') } });
    await roundTrip(bus, 'mtls');
  }, 60_000);

  it('fails a wrong password as a SASL failure naming the user and mechanism', async () => {
    const error = await scram('scram-sha-256', 'wrong-password').checkConnection().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaConnectError);
    expect((error as KafkaConnectError).kind).toBe('sasl');
    expect((error as KafkaConnectError).message).toContain(`Kafka SASL authentication failed for user "${listener.username}" (SCRAM-SHA-256) at ${listener.host}:${listener.saslSslPort}`);
  }, 30_000);

  it('fails a CA that did not sign the broker certificate in the TLS handshake, naming the CA file', async () => {
    const untrusted = readPemFile(listener.untrustedCaFile, 'certificate');
    const bus = busOver({ port: listener.saslSslPort, tls: { ca: untrusted }, sasl: { mechanism: 'scram-sha-512', username: listener.username, password: listener.password } });
    const error = await bus.checkConnection().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaConnectError);
    expect((error as KafkaConnectError).kind).toBe('tls');
    expect((error as KafkaConnectError).message).toMatch(new RegExp(`^Kafka TLS: the certificate of ${listener.host}:${listener.saslSslPort} is not trusted \\(\\w+\\), verified against KAFKA_SSL_CA_FILE=${untrusted.path}$`));
  }, 30_000);

  it('fails an SSL listener that requires a client certificate when none is given', async () => {
    const error = await busOver({ port: listener.sslPort, tls: { ca: ca() } }).checkConnection().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaConnectError);
    expect((error as KafkaConnectError).kind).toBe('tls');
    expect((error as KafkaConnectError).message).toMatch(new RegExp(`^Kafka TLS handshake with ${listener.host}:${listener.sslPort} failed \\(ERR_SSL_\\w+\\): does the listener require a client certificate`));
  }, 30_000);
});
