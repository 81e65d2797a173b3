#!/usr/bin/env bash
# End-to-end test on a real scheduler: starts a one-node Slurm cluster on the loopback interface
# (munge + slurmctld + slurmd, as root, no systemd), submits a job array of four shards of a
# `compare`, merges them, and checks the result is byte-identical to the single-process run.
# Tears the cluster down on exit. Installs slurm-wlm and munge with apt if they are missing.
#
#   scripts/slurm/test.sh [path/to/starcity]      (default: target/release/starcity, built if absent)
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$PWD"
bin="$(realpath "${1:-target/release/starcity}")"
[ -x "$bin" ] || { cargo build --release --locked; bin="$(realpath target/release/starcity)"; }

if ! command -v slurmctld >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
  echo "slurm test: installing slurm-wlm and munge"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi

work="$(mktemp -d /tmp/starcity-slurm.XXXXXX)"
chmod 755 "$work"
host="$(hostname)"
cleanup() {
  for pid in /run/slurmd.pid /run/slurmctld.pid /run/munge/munged.pid; do
    [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# munge: a fresh key, its directories owned by munge.
mkdir -p /etc/munge /var/lib/munge /var/log/munge /run/munge
dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
chown -R munge:munge /etc/munge /var/lib/munge /var/log/munge /run/munge
chmod 400 /etc/munge/munge.key
runuser -u munge -- /usr/sbin/munged --force
munge -n | unmunge >/dev/null

# slurm.conf: one node, this machine, on 127.0.0.1.
mem=$(( $(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) - 1024 ))
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=local
SlurmctldHost=${host}(127.0.0.1)
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SlurmUser=root
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
NodeName=${host} NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=${mem} State=UNKNOWN
PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP
CONF
/usr/sbin/slurmctld
/usr/sbin/slurmd
for _ in $(seq 1 30); do sinfo -h -o %t 2>/dev/null | grep -q idle && break; sleep 1; done
sinfo

args=(compare -d star-city -n 4000 --json)
"$bin" "${args[@]}" --quiet > "$work/whole.json"

# Submits array.sbatch with the array spec $1 (and SHARDS=$2 if given), waits for it to end.
submit() {
  local job
  job=$(cd "$work" && STARCITY="$bin" SHARD_DIR="$work/shards" SHARDS="${2:-}" \
    sbatch --parsable --array="$1" "$repo/scripts/slurm/array.sbatch" "${args[@]}")
  echo "slurm test: submitted array job $job (--array=$1${2:+, SHARDS=$2})"
  for _ in $(seq 1 300); do
    [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && return 0
    sleep 1
  done
  echo "slurm test: FAILED, job $job did not end in 300 s"; exit 1
}

# Merges the shards and compares with the single-process result.
check_merge() {
  ls -l "$work/shards"
  [ "$(ls "$work/shards" | wc -l)" -eq 4 ] || { cat "$work"/slurm-*.out; echo "slurm test: FAILED, not four shards"; exit 1; }
  rm -f "$work/merged.json"
  "$bin" merge "$work"/shards/shard-*.json -o "$work/merged.json"
  cmp "$work/whole.json" "$work/merged.json" || { echo "slurm test: FAILED: $1: the merged result differs"; exit 1; }
  echo "slurm test: $1: merged byte for byte into the single-process result"
}

submit 1-4
check_merge "four Slurm array tasks"
# A lost task, run again alone: SHARDS=4 makes it `--shard auto/4`, task 3 = shard 3 of 4.
rm "$work/shards/shard-3.json"
submit 3 4
check_merge "task 3 re-run alone"
echo "slurm test: passed"
