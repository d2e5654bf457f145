import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, KafkaJSSASLAuthenticationError } from 'kafkajs';
import { PemFile } from '../config/pem-file';
import { describeKafkaFailure } from './kafka-connect-error';

const brokers = ['kafka-1:9094', 'kafka-2:9094'];
const retried = (error: Error) => new KafkaJSNumberOfRetriesExceeded(error, { retryCount: 3, retryTime: 800 });

describe('describeKafkaFailure', () => {
  it('names the brokers and the refused connection when nothing answers', () => {
    const error = retried(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9999', { broker: '127.0.0.1:9999', code: 'ECONNREFUSED' }));
    expect(describeKafkaFailure(error, { brokers: ['127.0.0.1:9999'] })).toEqual({
      kind: 'unreachable',
      message: 'Kafka unreachable at 127.0.0.1:9999: ECONNREFUSED Connection error: connect ECONNREFUSED 127.0.0.1:9999',
    });
  });

  it('names the user and mechanism when SASL authentication fails', () => {
    const error = new (KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error)('SASL SCRAM SHA256 authentication failed: invalid credentials');
    const described = describeKafkaFailure(error, { brokers, sasl: { mechanism: 'scram-sha-256', username: 'svc', password: 'pw' } });
    expect(described.kind).toBe('sasl');
    expect(described.message).toBe(
      'Kafka SASL authentication failed for user "svc" (SCRAM-SHA-256) at kafka-1:9094,kafka-2:9094: SASL SCRAM SHA256 authentication failed: invalid credentials; check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD',
    );
    expect(described.message).not.toContain('pw');
  });

  it('classifies a refused SASL exchange by its protocol error type', () => {
    const error = new KafkaJSProtocolError({ message: 'bad', type: 'SASL_AUTHENTICATION_FAILED', code: 58, retriable: false } as never);
    expect(describeKafkaFailure(error, { brokers }).kind).toBe('sasl');
  });

  it('says which CA an untrusted certificate was checked against', () => {
    const error = retried(new KafkaJSConnectionError('Connection error: self-signed certificate in certificate chain', { broker: 'kafka-1:9094', code: 'SELF_SIGNED_CERT_IN_CHAIN' }));
    expect(describeKafkaFailure(error, { brokers, tls: { ca: new PemFile('/etc/kafka/ca.pem', 'pem') } })).toEqual({
      kind: 'tls',
      message: 'Kafka TLS: the certificate of kafka-1:9094 is not trusted (SELF_SIGNED_CERT_IN_CHAIN), verified against KAFKA_SSL_CA_FILE=/etc/kafka/ca.pem',
    });
    expect(describeKafkaFailure(error, { brokers, tls: {} }).message).toContain("Node's built-in CA list (KAFKA_SSL_CA_FILE is not set)");
  });

  it('tells a host name mismatch and a handshake with a plaintext port apart', () => {
    expect(describeKafkaFailure(new KafkaJSConnectionError('x', { broker: 'b:1', code: 'ERR_TLS_CERT_ALTNAME_INVALID' }), { brokers, tls: {} }).message).toMatch(/does not name that host/);
    const wrongPort = describeKafkaFailure(new KafkaJSConnectionError('Connection error: wrong version number', { broker: 'b:1', code: 'ERR_SSL_WRONG_VERSION_NUMBER' }), { brokers, tls: {} });
    expect(wrongPort).toEqual({ kind: 'tls', message: 'Kafka TLS handshake with b:1 failed (ERR_SSL_WRONG_VERSION_NUMBER): does the listener require a client certificate (KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE)? is it a TLS port?' });
  });

  it('keeps anything else as it came, with the brokers', () => {
    expect(describeKafkaFailure(new Error('boom'), { brokers })).toEqual({ kind: 'other', message: 'Kafka at kafka-1:9094,kafka-2:9094 failed: boom' });
  });
});
