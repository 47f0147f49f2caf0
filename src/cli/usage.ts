export const USAGE = `docker-prune — preview and prune Docker images safely (cron jobs, CI runners, terminals)

Usage:
  docker-prune plan  [options]           Show what a prune would remove and the bytes it would free
  docker-prune prune [options] [--yes]   Remove exactly that (asks first on a terminal)
  docker-prune --help | --version

What goes:
  (default)                 dangling images only, like "docker image prune"
  -a, --all                 all unused images (tagged too), like "docker image prune -a"
  --filter until=VALUE      only images created before VALUE: a duration counted back from now
                            (10m, 1h30m, 240h, 7d, 2w), unix seconds (1700000000[.nanos]) or a date/time
                            (2024-01-31, 2024-01-31T15:04:05, RFC3339 such as 2024-01-31T15:04:05Z)
  --filter label=KEY[=VALUE]   only images with that label (repeatable: all must match)
  --filter label!=KEY[=VALUE]  not images with that label
  --protect GLOB            never touch images with a tag matching GLOB on repo:tag (repeatable),
                            e.g. 'postgres:*', 'myteam/**', 'app' (every tag of app)
  --keep-latest N           keep the newest N images of every repository
  --native                  let the engine prune in one call (POST /images/prune) instead of image by
                            image; no per-image progress, no protect/keep-latest

Where:
  -H, --host HOST           unix:///path/docker.sock, tcp://host:port, ssh://user@host[:port]
                            (default: DOCKER_HOST, with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH,
                            else unix:///var/run/docker.sock)

Output and safety:
  --json                    machine-readable output:
                              plan:  {"images":[{"id","tags","action","bytes"}],"spaceReclaimable":N}
                              prune: {"ImagesDeleted":[{"Untagged"}|{"Deleted"}],"SpaceReclaimed":N,"skipped":[...]}
  -y, --yes                 do not ask for confirmation (required when not on a terminal)
  --audit-file PATH         where prunes are recorded, one JSON line each (default: $DOCKER_PRUNE_AUDIT_FILE,
                            else $XDG_STATE_HOME/docker-prune/audit.jsonl, else ~/.local/state/docker-prune/audit.jsonl)

Images used by any container (running, stopped or created) are never removed or untagged. An image that
becomes in use after the preview is skipped, not forced. Ctrl-C stops between two images.

Exit codes: 0 done, 1 failed (engine unreachable, error, cancelled), 2 bad usage or input.
`;
