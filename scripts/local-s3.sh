#!/usr/bin/env bash
# A throwaway S3 server on loopback for local runs and CI: a single-node Ceph cluster (one monitor, one in-memory
# OSD, no manager) with the RADOS Gateway in front. MinIO and LocalStack cannot be installed on our machines;
# Ceph can, from Debian.
#
#   scripts/local-s3.sh start    install Ceph if missing, boot, print the S3 environment (idempotent)
#   scripts/local-s3.sh stop     stop exactly this cluster's daemons (rgw, osd, mon) and remove its data dir
#   scripts/local-s3.sh status   exit 0 when running and answering
#   scripts/local-s3.sh env      print the S3 environment of the running cluster
#
# `start` and `env` print KEY=value lines to stdout (diagnostics go to stderr), e.g.
#   set -a; eval "$(scripts/local-s3.sh start)"; set +a
#
# Settings (environment): LOCAL_S3_DIR, LOCAL_S3_PORT, LOCAL_S3_MON_PORT, LOCAL_S3_BUCKET, LOCAL_S3_ACCESS_KEY,
# LOCAL_S3_SECRET_KEY, LOCAL_S3_MEMORY_MB. Every daemon keeps its pid, socket and log inside the data dir, so
# clusters with different dirs and ports can run side by side.
#
# Exit codes: 0 ok, 1 failure, 2 usage, 3 Ceph is missing and cannot be installed here (not root or apt failed).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${LOCAL_S3_DIR:-$repo/.data/local-s3}
port=${LOCAL_S3_PORT:-7480}
mon_port=${LOCAL_S3_MON_PORT:-6799}
bucket=${LOCAL_S3_BUCKET:-imagestore-local}
access_key=${LOCAL_S3_ACCESS_KEY:-imagestore-local}
secret_key=${LOCAL_S3_SECRET_KEY:-imagestore-local-secret}
memory_mb=${LOCAL_S3_MEMORY_MB:-1024}
region=us-east-1
rgw_name=client.rgw.local
conf=$dir/ceph.conf
marker=$dir/.local-s3

log() { printf 'local-s3: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}

# The values end up in KEY=value lines and in ceph.conf, so keep them to characters that need no quoting.
check_simple() {
  local name=$1 value=$2 pattern=$3
  [[ $value =~ $pattern ]] || die "$name='$value' is not allowed (must match $pattern)"
}
check_simple LOCAL_S3_PORT "$port" '^[0-9]{2,5}$'
check_simple LOCAL_S3_MON_PORT "$mon_port" '^[0-9]{2,5}$'
check_simple LOCAL_S3_MEMORY_MB "$memory_mb" '^[0-9]{2,6}$'
check_simple LOCAL_S3_BUCKET "$bucket" '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$'
check_simple LOCAL_S3_ACCESS_KEY "$access_key" '^[A-Za-z0-9._-]{3,128}$'
check_simple LOCAL_S3_SECRET_KEY "$secret_key" '^[A-Za-z0-9._/+-]{8,128}$'
check_simple LOCAL_S3_DIR "$dir" '^/[A-Za-z0-9._/-]+$'
[[ $dir != / && $dir != "$repo" && $dir != "$HOME" ]] || die "refusing to use $dir as the data dir"

endpoint=http://127.0.0.1:$port

# Ceph's tools need the conf; every daemon and tool call goes through here.
ceph_cmd() { ceph --conf "$conf" --connect-timeout 10 "$@"; }

pid_of() {
  local pid_file=$dir/run/$1.pid pid
  [[ -s $pid_file ]] || return 1
  pid=$(<"$pid_file")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  # Guard against pid reuse: the process must be a Ceph daemon started with our conf.
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$conf" || return 1
  printf '%s\n' "$pid"
}

answers() { curl -fsS -o /dev/null --max-time 2 "$endpoint/" 2>/dev/null; }

is_running() {
  pid_of "$rgw_name" >/dev/null && pid_of osd.0 >/dev/null && pid_of mon.a >/dev/null && answers
}

print_env() { cat "$dir/env"; }

write_env() {
  cat >"$dir/env.tmp" <<EOF
S3_ENDPOINT=$endpoint
S3_BUCKET=$bucket
S3_FORCE_PATH_STYLE=true
AWS_REGION=$region
AWS_ACCESS_KEY_ID=$access_key
AWS_SECRET_ACCESS_KEY=$secret_key
EOF
  mv "$dir/env.tmp" "$dir/env"
}

# Exited, or a zombie that PID 1 has not reaped yet (it can take seconds to on some machines).
has_exited() {
  local state
  state=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) || return 0
  [[ $state == Z ]]
}

stop_daemon() {
  local name=$1 pid waited=0
  pid=$(pid_of "$name") || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  until has_exited "$pid"; do
    # The data is thrown away, so a slow shutdown is not worth waiting for (radosgw takes ~5 s).
    if ((waited >= 20)); then
      kill -KILL "$pid" 2>/dev/null || true
      waited=0
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

remove_data_dir() {
  [[ -e $dir ]] || return 0
  # Only ever remove a directory this script created.
  [[ -f $marker ]] || die "$dir exists but was not created by local-s3.sh; not removing it"
  rm -rf -- "$dir"
}

cmd_stop() {
  # rgw first (it is a client of the cluster), then the osd, then the monitor they both talk to.
  stop_daemon "$rgw_name"
  stop_daemon osd.0
  stop_daemon mon.a
  remove_data_dir
  log "stopped"
}

ensure_ceph() {
  local missing=() bin
  for bin in ceph ceph-mon ceph-osd ceph-authtool monmaptool radosgw radosgw-admin; do
    command -v "$bin" >/dev/null || missing+=("$bin")
  done
  ((${#missing[@]} == 0)) && return 0
  log "missing: ${missing[*]}; installing radosgw ceph-mon ceph-osd"
  if [[ $(id -u) != 0 ]]; then
    log "installing Ceph needs root: sudo apt-get update && sudo apt-get install -y radosgw ceph-mon ceph-osd"
    exit 3
  fi
  local t0=$SECONDS
  export DEBIAN_FRONTEND=noninteractive
  local apt=(apt-get -o DPkg::Lock::Timeout=120 -o Dpkg::Use-Pty=0 -qq)
  if ! "${apt[@]}" update >&2 || ! "${apt[@]}" install -y radosgw ceph-mon ceph-osd >&2; then
    log "apt-get failed; cannot install Ceph"
    exit 3
  fi
  log "installed Ceph in $((SECONDS - t0)) s"
}

port_in_use() { (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

write_conf() {
  local fsid=$1
  cat >"$conf" <<EOF
# Generated by scripts/local-s3.sh: a throwaway single-node cluster on loopback.
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
public addr = 127.0.0.1
ms bind msgr1 = false
ms bind ipv6 = false
# No cephx. radosgw defaults ms_mon_client_mode to "secure", which needs cephx; allow crc for clients below.
auth cluster required = none
auth service required = none
auth client required = none
run dir = $dir/run
pid file = $dir/run/\$name.pid
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
mon data = $dir/mon
osd data = $dir/osd
# Every pool creation waits one paxos round; the default 1 s makes boot take ~12 s instead of ~2 s.
paxos propose interval = 0.1
# One OSD, one replica.
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
osd crush initial weight = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
# Objects live in RAM, used as filled, capped here.
osd objectstore = memstore
memstore device bytes = $((memory_mb * 1024 * 1024))
osd max object name len = 460
osd max object namespace len = 64

[client]
ms mon client mode = secure crc

[$rgw_name]
rgw data = $dir/rgw
# Without tcp_nodelay small requests take ~45 ms.
rgw frontends = beast endpoint=127.0.0.1:$port tcp_nodelay=1
# Let deleted data leave RAM within a minute.
rgw gc obj min wait = 30
rgw gc processor period = 30
EOF
}

# Daemons fork into the background in their own session; detach their stdio so that a caller reading our stdout
# (a test runner) is not held open by them, and let them not inherit the start/stop lock (fd 9).
spawn() { setsid "$@" </dev/null >>"$dir/log/daemons.out" 2>&1 9>&-; }

wait_for() {
  local what=$1 tries=$2
  shift 2
  local i
  for ((i = 0; i < tries; i++)); do
    "$@" && return 0
    sleep 0.1
  done
  die "$what did not come up; logs in $dir/log"
}

create_bucket() {
  local status
  # RGW wants x-amz-content-sha256 on SigV4 requests; this is the hash of an empty body.
  status=$(curl -sS -o "$dir/log/create-bucket.out" -w '%{http_code}' --max-time 10 -X PUT \
    --aws-sigv4 "aws:amz:$region:s3" --user "$access_key:$secret_key" \
    -H 'x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' \
    "$endpoint/$bucket")
  [[ $status == 200 ]] || die "creating bucket $bucket answered $status: $(cat "$dir/log/create-bucket.out")"
}

cmd_start() {
  if is_running; then
    print_env
    return 0
  fi
  if [[ -e $dir ]]; then
    log "found a stale $dir; cleaning up"
    cmd_stop
  fi
  ensure_ceph
  local port_number
  for port_number in "$port" "$mon_port"; do
    port_in_use "$port_number" && die "127.0.0.1:$port_number is already in use (set LOCAL_S3_PORT / LOCAL_S3_MON_PORT)"
  done

  local t0 fsid osd_uuid
  t0=$(date +%s%N)
  mkdir -p "$dir"/{run,log,mon,osd,rgw}
  : >"$marker"
  # A half-started cluster must not linger: stop what did start, keep the logs (the next start cleans up).
  trap 'stop_daemon "$rgw_name"; stop_daemon osd.0; stop_daemon mon.a; log "start failed; logs in $dir/log"' EXIT
  fsid=$(cat /proc/sys/kernel/random/uuid)
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  write_conf "$fsid"

  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$dir/monmap" >>"$dir/log/setup.out" 2>&1 ||
    die "monmaptool failed; see $dir/log/setup.out"
  ceph-mon --conf "$conf" --id a --mkfs --monmap "$dir/monmap" --keyring /dev/null >>"$dir/log/setup.out" 2>&1 ||
    die "ceph-mon --mkfs failed; see $dir/log/setup.out"
  spawn ceph-mon --conf "$conf" --id a || die "ceph-mon failed; see $dir/log"

  ceph_cmd osd new "$osd_uuid" 0 >>"$dir/log/setup.out" 2>&1 || die "ceph osd new failed; see $dir/log"
  ceph-osd --conf "$conf" --id 0 --mkfs --osd-uuid "$osd_uuid" >>"$dir/log/setup.out" 2>&1 ||
    die "ceph-osd --mkfs failed; see $dir/log/setup.out"
  spawn ceph-osd --conf "$conf" --id 0 || die "ceph-osd failed; see $dir/log"

  # Creates the zone, its pools and the user with fixed throwaway keys.
  radosgw-admin --conf "$conf" user create --uid imagestore --display-name imagestore \
    --access-key "$access_key" --secret-key "$secret_key" >>"$dir/log/setup.out" 2>&1 ||
    die "radosgw-admin user create failed; see $dir/log"
  spawn radosgw --conf "$conf" --name "$rgw_name" || die "radosgw failed; see $dir/log"

  wait_for "the S3 endpoint $endpoint" 300 answers
  create_bucket
  write_env
  trap - EXIT
  log "started $endpoint (bucket $bucket) in $((($(date +%s%N) - t0) / 1000000)) ms; data in $dir"
  print_env
}

cmd_status() {
  if is_running; then
    log "running at $endpoint (data in $dir)"
    return 0
  fi
  log "not running"
  return 1
}

cmd_env() {
  [[ -f $dir/env ]] || die "not running (no $dir/env); run: scripts/local-s3.sh start"
  print_env
}

with_lock() {
  # Serialise start/stop across concurrent callers (e.g. parallel test workers). The lock sits beside the data
  # dir because stop removes the dir.
  mkdir -p "$(dirname "$dir")"
  exec 9>"$dir.lock"
  flock -w 300 9 || die "timed out waiting for $dir.lock"
  "$@"
}

case "${1:-}" in
  start) with_lock cmd_start ;;
  stop) with_lock cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *)
    echo "usage: $0 start|stop|status|env" >&2
    exit 2
    ;;
esac
