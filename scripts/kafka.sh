#!/usr/bin/env bash
# Local single-node Apache Kafka 4.x broker (KRaft, combined broker+controller), no Docker.
#
#   bash scripts/kafka.sh install|start|stop|status|restart
#
# Jars come from Maven Central via infra/kafka/pom.xml and are cached outside the clone in
#   ${HUBSPOT_AI_CACHE:-$HOME/.cache/hubspot-ai}/kafka-<version>/libs
# Broker state (server.properties, KRaft log dir, pid file, log file) lives in
#   ${KAFKA_DATA_DIR:-${HUBSPOT_AI_CACHE:-$HOME/.cache/hubspot-ai}/kafka-data}
#
# Environment:
#   KAFKA_HOST             listen/advertise address        (default 127.0.0.1)
#   KAFKA_PORT             broker (PLAINTEXT) port         (default 9092)
#   KAFKA_CONTROLLER_PORT  KRaft controller port           (default 9093)
#   KAFKA_SECURE_PORT      SASL_SSL listener port (SCRAM-SHA-256/512)      (default 9094)
#   KAFKA_TLS_PORT         SSL listener port, client certificate required (default 9095)
#   KAFKA_DATA_DIR         data dir (see above)
#   KAFKA_HEAP_OPTS        JVM heap                        (default "-Xms256m -Xmx512m")
#   KAFKA_START_TIMEOUT    seconds to wait for readiness   (default 60)
#   KAFKA_STOP_TIMEOUT     seconds before SIGKILL on stop  (default 30)
#   KAFKA_RESET=1          stop and wipe the data dir (topics, offsets, cluster id) before start
#   HUBSPOT_AI_CACHE       cache root                      (default $HOME/.cache/hubspot-ai)
#   JAVA_HOME              Java 17+ to use (default: java on PATH)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
INFRA_DIR="$REPO_ROOT/infra/kafka"
POM="$INFRA_DIR/pom.xml"
LOG4J_CONFIG="$INFRA_DIR/log4j2.yaml"

KAFKA_VERSION="$(sed -n 's:.*<kafka\.version>[[:space:]]*\([^<[:space:]]*\)[[:space:]]*</kafka\.version>.*:\1:p' "$POM" | head -n 1)"
[[ -n "$KAFKA_VERSION" ]] || { echo "kafka.sh: cannot read <kafka.version> from $POM" >&2; exit 1; }

CACHE_ROOT="${HUBSPOT_AI_CACHE:-$HOME/.cache/hubspot-ai}"
KAFKA_HOME_DIR="$CACHE_ROOT/kafka-$KAFKA_VERSION"
LIBS_DIR="$KAFKA_HOME_DIR/libs"
MARKER="$KAFKA_HOME_DIR/.installed"

DATA_DIR="${KAFKA_DATA_DIR:-$CACHE_ROOT/kafka-data}"
KRAFT_LOG_DIR="$DATA_DIR/kraft-logs"
SERVER_PROPS="$DATA_DIR/server.properties"
PID_FILE="$DATA_DIR/kafka.pid"
LOG_FILE="$DATA_DIR/kafka.log"
CLUSTER_ID_FILE="$DATA_DIR/cluster.id"
PROBE_PROPS="$DATA_DIR/probe.properties"
PROBE_LOG="$DATA_DIR/probe.log"
# The secure listeners' material (generated once per data dir) and how to reach them:
# secure-listener.json is what the integration tests read (see libs/common/src/kafka/*.int-spec.ts).
TLS_DIR="$DATA_DIR/tls"
SECURE_INFO="$DATA_DIR/secure-listener.json"
SCRAM_USER="hubspot-test"

HOST="${KAFKA_HOST:-127.0.0.1}"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
SECURE_PORT="${KAFKA_SECURE_PORT:-9094}"
TLS_PORT="${KAFKA_TLS_PORT:-9095}"
NODE_ID=1
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-60}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"

if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA="java"; fi

log() { echo "kafka.sh: $*"; }
die() { echo "kafka.sh: error: $*" >&2; exit 1; }

# ---------------------------------------------------------------- helpers

port_open() { # host port -> 0 if something accepts TCP connections
  timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" >/dev/null 2>&1
}

# pid of the broker this script started (alive and really our kafka.Kafka), else empty
running_pid() {
  [[ -f "$PID_FILE" ]] || return 0
  local pid; pid="$(tr -dc '0-9' <"$PID_FILE")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "kafka.Kafka $SERVER_PROPS"; then
    echo "$pid"
  fi
}

ensure_java() {
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found (Kafka $KAFKA_VERSION needs Java 17+; set JAVA_HOME)"
  local v major
  v="$("$JAVA" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)"
  major="${v%%.*}"; [[ "$major" == "1" ]] && major="$(echo "$v" | cut -d. -f2)"
  [[ "$major" =~ ^[0-9]+$ && "$major" -ge 17 ]] || die "Kafka $KAFKA_VERSION needs Java 17+, found '$v' ($JAVA)"
}

jvm() { # run a Kafka class on the cached classpath with the quiet log config
  "$JAVA" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dlog4j2.configurationFile="$LOG4J_CONFIG" -cp "$LIBS_DIR/*" "$@"
}

pom_hash() { sha256sum "$POM" | cut -d' ' -f1; }
jar_count() { find "$1" -maxdepth 1 -name '*.jar' 2>/dev/null | wc -l | tr -d ' '; }

is_installed() {
  [[ -f "$MARKER" && -d "$LIBS_DIR" ]] || return 1
  local want_count want_hash
  want_count="$(sed -n 's/^jars=//p' "$MARKER")"
  want_hash="$(sed -n 's/^pom_sha256=//p' "$MARKER")"
  [[ -n "$want_count" && "$(jar_count "$LIBS_DIR")" == "$want_count" && "$want_hash" == "$(pom_hash)" ]]
}

# ---------------------------------------------------------------- install

install_if_needed() {
  is_installed && return 0
  mkdir -p "$KAFKA_HOME_DIR"
  exec 8>"$KAFKA_HOME_DIR/.install.lock"
  flock 8
  if is_installed; then exec 8>&-; return 0; fi # another process installed it meanwhile
  command -v mvn >/dev/null 2>&1 || die "mvn not found (needed once to fetch Kafka jars from Maven Central)"
  local tmp="$KAFKA_HOME_DIR/libs.tmp.$$" t0=$SECONDS n bad
  rm -rf "$tmp"
  log "installing Kafka $KAFKA_VERSION jars from Maven Central into $LIBS_DIR ..."
  # (Debian's Maven 3.8.7 prints stray ANSI resets even with -B -q: strip them)
  if ! mvn -B -q -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$tmp" 2>&1 \
      | sed -e 's/\x1b\[[0-9;]*m//g' -e '/^[[:space:]]*$/d'; then
    rm -rf "$tmp"; die "mvn dependency:copy-dependencies failed (see output above)"
  fi
  [[ -f "$tmp/kafka_2.13-$KAFKA_VERSION.jar" && -f "$tmp/kafka-tools-$KAFKA_VERSION.jar" ]] \
    || { rm -rf "$tmp"; die "resolved jars lack kafka_2.13/kafka-tools $KAFKA_VERSION"; }
  # every Apache Kafka artifact must be on the same version
  bad="$(cd "$tmp" && ls | grep -E '^(kafka|connect-|trogdor)' | grep -vF -- "-$KAFKA_VERSION.jar" || true)"
  [[ -z "$bad" ]] || { rm -rf "$tmp"; die "mixed Kafka versions resolved: $bad"; }
  n="$(jar_count "$tmp")"
  rm -rf "$LIBS_DIR"
  mv "$tmp" "$LIBS_DIR"
  printf 'version=%s\njars=%s\npom_sha256=%s\ninstalled_at=%s\n' \
    "$KAFKA_VERSION" "$n" "$(pom_hash)" "$(date -u +%FT%TZ)" >"$MARKER"
  log "installed $n jars ($(du -sh "$LIBS_DIR" | cut -f1)) in $((SECONDS - t0))s"
  exec 8>&-
}

cmd_install() {
  if is_installed; then
    log "Kafka $KAFKA_VERSION already installed in $LIBS_DIR ($(jar_count "$LIBS_DIR") jars)"
  else
    install_if_needed
  fi
}

# ---------------------------------------------------------------- start

write_server_properties() { # [file] (default: $SERVER_PROPS)
  cat >"${1:-$SERVER_PROPS}" <<EOF
# Generated by scripts/kafka.sh on every start -- edit the script, not this file.
process.roles=broker,controller
node.id=$NODE_ID
controller.quorum.bootstrap.servers=$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT,SASL_SSL://$HOST:$SECURE_PORT,SSL://$HOST:$TLS_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT,SASL_SSL://$HOST:$SECURE_PORT,SSL://$HOST:$TLS_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL
log.dirs=$KRAFT_LOG_DIR

# Secure listeners for the client-side TLS/SASL tests; PLAINTEXT above is what everything else uses.
# PEM stores (KIP-651): the server key (unencrypted PKCS#8) and its chain; the test CA as trust store.
ssl.keystore.type=PEM
ssl.keystore.location=$TLS_DIR/server-keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$TLS_DIR/ca.pem
listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.ssl.ssl.client.auth=required

num.partitions=12
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.hours=168
num.recovery.threads.per.data.dir=1
EOF
}

# A test CA, a server certificate for $HOST, 127.0.0.1 and localhost, a client certificate
# (for the SSL listener), a CA that signed nothing here (tests of a wrong CA) and the SCRAM
# user's password. Generated once per data dir.
ensure_tls_material() {
  [[ -s "$TLS_DIR/server-keystore.pem" && -s "$TLS_DIR/client.pem" && -s "$TLS_DIR/untrusted-ca.pem" && -s "$TLS_DIR/scram.password" ]] && return 0
  command -v openssl >/dev/null 2>&1 || die "openssl not found (needed once to create the secure listeners' certificates)"
  log "creating a test CA and certificates in $TLS_DIR"
  rm -rf "$TLS_DIR"; mkdir -p "$TLS_DIR"; chmod 700 "$TLS_DIR"
  (
    cd "$TLS_DIR"
    ossl() { openssl "$@" >>openssl.log 2>&1 || { cat openssl.log >&2; exit 1; }; }
    for ca in ca untrusted-ca; do
      ossl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=hubspot-ai $ca (tests)" -keyout "$ca.key" -out "$ca.pem" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
    done
    san="IP:127.0.0.1,DNS:localhost"
    if [[ "$HOST" != "127.0.0.1" && "$HOST" != "localhost" ]]; then
      if [[ "$HOST" =~ ^[0-9.]+$ ]]; then san="$san,IP:$HOST"; else san="$san,DNS:$HOST"; fi
    fi
    printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$san" >server.ext
    printf 'extendedKeyUsage=clientAuth\n' >client.ext
    for who in server client; do
      ossl req -newkey rsa:2048 -nodes -subj "/CN=hubspot-ai test $who" -keyout "$who.key.tmp" -out "$who.csr"
      ossl pkcs8 -topk8 -nocrypt -in "$who.key.tmp" -out "$who.key"
      ossl x509 -req -in "$who.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 -extfile "$who.ext" -out "$who.pem"
      rm -f "$who.key.tmp" "$who.csr"
    done
    cat server.key server.pem ca.pem >server-keystore.pem
    openssl rand -hex 16 >scram.password
    chmod 600 ./*.key server-keystore.pem scram.password
  ) || die "could not create the test certificates (see $TLS_DIR/openssl.log)"
}

# SCRAM users live in the cluster metadata: set after every start by this script, so a
# data dir formatted before the secure listeners existed gets them too. Then tell the
# tests how to connect.
ensure_scram_user() {
  local password; password="$(cat "$TLS_DIR/scram.password")"
  local mechanism
  for mechanism in SCRAM-SHA-256 SCRAM-SHA-512; do # one credential per request (the broker refuses two)
    jvm kafka.admin.ConfigCommand --bootstrap-server "$HOST:$PORT" --alter --entity-type users --entity-name "$SCRAM_USER" \
      --add-config "$mechanism=[iterations=4096,password=$password]" \
      >"$DATA_DIR/scram.log" 2>&1 || { cat "$DATA_DIR/scram.log" >&2; die "could not create the $mechanism user $SCRAM_USER"; }
  done
  cat >"$SECURE_INFO" <<EOF
{
  "host": "$HOST",
  "plaintextPort": $PORT,
  "saslSslPort": $SECURE_PORT,
  "sslPort": $TLS_PORT,
  "caFile": "$TLS_DIR/ca.pem",
  "untrustedCaFile": "$TLS_DIR/untrusted-ca.pem",
  "clientCertFile": "$TLS_DIR/client.pem",
  "clientKeyFile": "$TLS_DIR/client.key",
  "scramMechanisms": ["scram-sha-256", "scram-sha-512"],
  "username": "$SCRAM_USER",
  "password": "$password"
}
EOF
  log "secure listeners: SASL_SSL (SCRAM-SHA-256/512, user $SCRAM_USER) on $HOST:$SECURE_PORT, SSL (client certificate) on $HOST:$TLS_PORT; see $SECURE_INFO"
}

# True when the running broker was started with other settings than this script writes
# now (say, before the secure listeners existed): `start` then restarts it.
config_changed() {
  local wanted="$DATA_DIR/server.properties.wanted" changed=0
  write_server_properties "$wanted"
  cmp -s "$wanted" "$SERVER_PROPS" || changed=1
  rm -f "$wanted"
  (( changed == 1 ))
}

reset_hint() { echo "  To start from scratch (deletes all topics/offsets): KAFKA_RESET=1 bash scripts/kafka.sh start" >&2; }

format_if_needed() {
  local meta="$KRAFT_LOG_DIR/meta.properties" cid
  if [[ -f "$meta" ]]; then
    cid="$(sed -n 's/^cluster.id=//p' "$meta")"
    if [[ -f "$CLUSTER_ID_FILE" && "$cid" != "$(cat "$CLUSTER_ID_FILE")" ]] \
       || [[ "$(sed -n 's/^node.id=//p' "$meta")" != "$NODE_ID" ]]; then
      echo "kafka.sh: error: $KRAFT_LOG_DIR was formatted for another cluster/node (meta.properties: cluster.id=$cid, node.id=$(sed -n 's/^node.id=//p' "$meta"))." >&2
      reset_hint; exit 1
    fi
    [[ -s "$CLUSTER_ID_FILE" ]] || echo "$cid" >"$CLUSTER_ID_FILE"
    return 0
  fi
  if [[ -n "$(ls -A "$KRAFT_LOG_DIR" 2>/dev/null)" ]]; then
    echo "kafka.sh: error: $KRAFT_LOG_DIR is not empty but has no meta.properties (half-formatted or foreign data)." >&2
    reset_hint; exit 1
  fi
  if [[ ! -s "$CLUSTER_ID_FILE" ]]; then
    cid="$(jvm kafka.tools.StorageTool random-uuid | grep -E '^[A-Za-z0-9_-]{22}$' | tail -n 1 || true)"
    [[ -n "$cid" ]] || die "kafka-storage random-uuid returned no cluster id"
    echo "$cid" >"$CLUSTER_ID_FILE"
  fi
  cid="$(tr -d '[:space:]' <"$CLUSTER_ID_FILE")"
  log "formatting $KRAFT_LOG_DIR (standalone KRaft, cluster.id=$cid)"
  if ! jvm kafka.tools.StorageTool format --standalone -t "$cid" -c "$SERVER_PROPS" >"$DATA_DIR/format.log" 2>&1; then
    cat "$DATA_DIR/format.log" >&2
    die "kafka-storage format failed"
  fi
}

probe() { # [node-id] -> a real Kafka protocol round trip (ApiVersions via the admin client)
  [[ -f "$PROBE_PROPS" ]] || printf 'request.timeout.ms=5000\ndefault.api.timeout.ms=10000\n' >"$PROBE_PROPS"
  timeout 30 "$JAVA" -Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dlog4j2.configurationFile="$LOG4J_CONFIG" -cp "$LIBS_DIR/*" \
    org.apache.kafka.tools.BrokerApiVersionsCommand \
    --bootstrap-server "$HOST:$PORT" --command-config "$PROBE_PROPS" >"$PROBE_LOG" 2>&1 \
    && grep -q "(id: ${1:-}" "$PROBE_LOG"
}

explain_failure() {
  echo "---- last 40 lines of $LOG_FILE ----" >&2
  tail -n 40 "$LOG_FILE" >&2 || true
  echo "------------------------------------" >&2
  if grep -qE 'Address already in use|BindException' "$LOG_FILE" 2>/dev/null; then
    echo "kafka.sh: port $PORT, $CONTROLLER_PORT, $SECURE_PORT or $TLS_PORT on $HOST is taken by another process (set KAFKA_PORT / KAFKA_CONTROLLER_PORT / KAFKA_SECURE_PORT / KAFKA_TLS_PORT)." >&2
  elif grep -E 'ERROR|FATAL|Exception' "$LOG_FILE" 2>/dev/null \
       | grep -qiE 'meta\.properties|cluster[ .]?id|node[ .]?id|directory[ .]?id|bootstrap\.checkpoint|voter|kraft-logs'; then
    echo "kafka.sh: the data dir $DATA_DIR looks formatted with a different cluster/config." >&2
    reset_hint
  fi
}

wait_ready() { # pid
  local pid="$1" t0=$SECONDS open_since=""
  while (( SECONDS - t0 < START_TIMEOUT )); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      echo "kafka.sh: error: kafka (pid $pid) exited during startup." >&2
      explain_failure; exit 1
    fi
    if port_open "$HOST" "$PORT"; then
      [[ -n "$open_since" ]] || open_since=$SECONDS
      # readiness = server log says started (or the port has been open a while) AND a real
      # ApiVersions request to the broker succeeds
      if grep -q 'Kafka Server started' "$LOG_FILE" 2>/dev/null || (( SECONDS - open_since >= 10 )); then
        if probe "$NODE_ID"; then
          log "kafka $KAFKA_VERSION ready on $HOST:$PORT (pid $pid, controller $HOST:$CONTROLLER_PORT) after $((SECONDS - t0))s"
          log "data: $DATA_DIR  log: $LOG_FILE"
          return 0
        fi
      fi
    fi
    sleep 1
  done
  echo "kafka.sh: error: kafka (pid $pid) did not become ready on $HOST:$PORT within ${START_TIMEOUT}s; stopping it." >&2
  [[ -f "$PROBE_LOG" ]] && { echo "---- last probe output ----" >&2; tail -n 5 "$PROBE_LOG" >&2; }
  explain_failure
  stop_pid "$pid" >/dev/null 2>&1 || true
  exit 1
}

reset_data_dir() {
  case "$DATA_DIR" in ""|"/"|"$HOME"|"$HOME/"|"$REPO_ROOT"|"$REPO_ROOT/") die "refusing to wipe KAFKA_DATA_DIR='$DATA_DIR'";; esac
  local pid; pid="$(running_pid)"
  [[ -z "$pid" ]] || { log "KAFKA_RESET=1: stopping running broker (pid $pid) first"; stop_pid "$pid"; }
  log "KAFKA_RESET=1: wiping $DATA_DIR (topics, offsets, cluster id)"
  rm -rf "$KRAFT_LOG_DIR" "$SERVER_PROPS" "$PID_FILE" "$CLUSTER_ID_FILE" "$SECURE_INFO" \
         "$PROBE_PROPS" "$PROBE_LOG" "$DATA_DIR/format.log" "$LOG_FILE" "$LOG_FILE.1"
}

cmd_start() {
  ensure_java
  install_if_needed
  mkdir -p "$DATA_DIR"
  exec 9>"$DATA_DIR/.kafka.sh.lock"
  flock 9
  [[ "${KAFKA_RESET:-0}" == "1" ]] && reset_data_dir

  local pid; pid="$(running_pid)"
  ensure_tls_material
  if [[ -n "$pid" ]] && port_open "$HOST" "$PORT" && config_changed; then
    log "kafka (pid $pid) runs with an older server.properties; restarting it with the current one"
    stop_pid "$pid"; pid=""
  fi
  if port_open "$HOST" "$PORT"; then
    if [[ -n "$pid" ]]; then
      log "kafka already running on $HOST:$PORT (pid $pid)"
      [[ -s "$SECURE_INFO" ]] || ensure_scram_user
    elif probe; then
      log "kafka already running on $HOST:$PORT (not started by this script: no live pid in $PID_FILE)"
    else
      die "$HOST:$PORT is in use by a process that does not answer Kafka ApiVersions (see $PROBE_LOG); set KAFKA_PORT"
    fi
    return 0
  fi
  if [[ -n "$pid" ]]; then
    log "kafka (pid $pid) is starting; waiting for it"
    wait_ready "$pid"; ensure_scram_user; return 0
  fi
  rm -f "$PID_FILE"
  if port_open "$HOST" "$CONTROLLER_PORT"; then
    die "controller port $HOST:$CONTROLLER_PORT is already in use by another process (set KAFKA_CONTROLLER_PORT)"
  fi
  local p
  for p in "$SECURE_PORT:KAFKA_SECURE_PORT" "$TLS_PORT:KAFKA_TLS_PORT"; do
    if port_open "$HOST" "${p%%:*}"; then die "port $HOST:${p%%:*} is already in use by another process (set ${p#*:})"; fi
  done
  rm -f "$SECURE_INFO"

  mkdir -p "$KRAFT_LOG_DIR"
  write_server_properties
  format_if_needed

  [[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.1"
  log "starting kafka $KAFKA_VERSION on $HOST:$PORT (controller $HOST:$CONTROLLER_PORT)"
  # shellcheck disable=SC2086  # HEAP_OPTS is a list of JVM flags
  nohup "$JAVA" $HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$LOG4J_CONFIG" -cp "$LIBS_DIR/*" \
    kafka.Kafka "$SERVER_PROPS" >"$LOG_FILE" 2>&1 </dev/null 8>&- 9>&- &
  pid=$!
  echo "$pid" >"$PID_FILE"
  wait_ready "$pid"
  ensure_scram_user
}

# ---------------------------------------------------------------- stop / status

stop_pid() { # pid
  local pid="$1" t0=$SECONDS
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && (( SECONDS - t0 < STOP_TIMEOUT )); do sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then
    log "kafka (pid $pid) still alive after ${STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  fi
  rm -f "$PID_FILE"
  log "kafka stopped (pid $pid, $((SECONDS - t0))s)"
}

cmd_stop() {
  local pid; pid="$(running_pid)"
  if [[ -z "$pid" ]]; then
    rm -f "$PID_FILE"
    if port_open "$HOST" "$PORT"; then
      log "kafka not running (from this script's point of view), but $HOST:$PORT is in use by another process -- left alone"
    else
      log "kafka not running"
    fi
    return 0
  fi
  stop_pid "$pid"
}

cmd_status() {
  local pid; pid="$(running_pid)"
  if port_open "$HOST" "$PORT"; then
    if [[ -n "$pid" ]]; then
      echo "kafka running (pid $pid) on $HOST:$PORT, controller $HOST:$CONTROLLER_PORT, data $DATA_DIR"
    else
      echo "kafka running on $HOST:$PORT (external process, not managed by this script)"
    fi
    return 0
  fi
  if [[ -n "$pid" ]]; then
    echo "kafka process alive (pid $pid) but $HOST:$PORT not accepting connections (starting or unhealthy; see $LOG_FILE)"
  else
    echo "kafka not running ($HOST:$PORT)"
  fi
  return 3
}

# ---------------------------------------------------------------- main

usage() { echo "usage: $0 install|start|stop|status|restart" >&2; }

case "${1:-}" in
  install) ensure_java; cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  restart) cmd_stop; cmd_start ;;
  -h|--help|help) usage ;;
  *) usage; exit 2 ;;
esac
