#!/bin/sh
# container_like.sh COMMAND [ARG...]: runs COMMAND the way a Docker or Kubernetes container with
# its default seccomp profile would (environment E3 of EXERCISE.md §4a): as root with uids and
# gids 0-65535 mapped one to one, in a network namespace of its own whose only interface is lo,
# with no nested user namespaces, no CAP_SYS_ADMIN or CAP_NET_ADMIN, and the cgroup filesystem
# read-only. Run it as root (util-linux, iproute2). A stand-in for tests, not a security boundary.
set -eu
if [ "$(id -u)" != 0 ] || [ $# -eq 0 ]; then
  echo "usage (as root): container_like.sh COMMAND [ARG...]" >&2
  exit 2
fi
dir=$(mktemp -d)
mkfifo "$dir/ready" "$dir/go"
# The child makes its namespaces, says so, and waits until its uid and gid maps are written.
# Its capabilities in the new namespace come with the exec that follows the maps.
unshare --user --net --mount --propagation private -- sh -c '
  echo > "$1/ready"; read go < "$1/go"; shift
  exec sh -c "
    ip link set lo up &&
    mount -t tmpfs -o ro tmpfs /sys/fs/cgroup &&
    echo 0 > /proc/sys/user/max_user_namespaces &&
    exec setpriv --bounding-set=-sys_admin,-net_admin --inh-caps=-sys_admin,-net_admin \"\$@\"
  " container_like "$@"
' container_like "$dir" "$@" &
child=$!
trap 'kill -KILL "$child" 2>/dev/null || :; rm -rf "$dir"' INT TERM HUP
read ready < "$dir/ready"
echo "0 0 65536" > "/proc/$child/uid_map"
echo "0 0 65536" > "/proc/$child/gid_map"
echo > "$dir/go"
rm -rf "$dir"
status=0
wait "$child" || status=$?
exit "$status"
