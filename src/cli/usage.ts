export const USAGE = `docker-prune — preview and prune Docker images safely (cron jobs, CI runners, terminals)

Usage:
  docker-prune plan  [options]           Show what a prune would remove and the bytes it would free
  docker-prune prune [options] [--yes]   Remove exactly that (asks first on a terminal)
  docker-prune audit [--json] [--limit N]  List recent prunes from the audit file and how each ended;
                                         interrupted ones are flagged, with what really went
  docker-prune -h | --help | --version

What goes:
  (default)                 dangling images only, like "docker image prune"
  -a, --all                 all unused images (tagged too), like "docker image prune -a"
  -f, --filter until=VALUE  only images created before VALUE: a duration counted back from now
                            (10m, 1h30m, 240h, 7d, 2w), unix seconds (1700000000[.nanos]) or a date/time
                            (2024-01-31, 2024-01-31T15:04:05, RFC3339 such as 2024-01-31T15:04:05Z)
  --filter label=KEY[=VALUE]   only images with that label (repeatable: all must match)
  --filter label!=KEY[=VALUE]  not images with that label
  --filter unused-for=DURATION only images nothing used for DURATION (36h, 14d, 2w): last use is kept per
                            engine from its events and containers (~/.local/state/docker-prune/last-used);
                            an image never seen in use counts from its last tag, else its creation
  --filter source=KIND      only images of that source: pulled (a registry has it), built (here), loaded
                            (docker load/import: nothing brings it back) or unknown; source!=KIND: not those
  --protect GLOB            never touch images with a tag matching GLOB on repo:tag (repeatable),
                            e.g. 'postgres:*', 'myteam/**', 'app' (every tag of app)
  --keep-latest N           keep the newest N images of every repository
  --containers exited-for=DURATION
                            also remove stopped containers (exited, or created and never started) that
                            stopped at least DURATION ago (30d, 36h, 0s), first, and the images they alone
                            held. Never running ones, nor one with restart policy always/unless-stopped,
                            the label docker-prune.keep, or a name or image matching --protect; their
                            volumes stay. Each goes only if it has not run again since the preview
  --watermark HIGH:LOW      only when usage is above HIGH: unused images (tagged too), least recently used
                            first, until the usage predicted after the prune is under LOW. Each mark is a
                            percentage of the disk holding the Docker root (85%:80%; local engines only) or
                            a size the images' bytes are compared with (40GB:30GB). Protect patterns,
                            keep-latest, filters and in-use images still hold. Pulled images go first,
                            then built ones; loaded images stay unless --include-loaded
  --minimum-age DURATION    with --watermark: never an image used (or, never seen in use, created) less than
                            DURATION ago (default 2h; 0 for none)
  --include-loaded          with --watermark: loaded images may go too, last of all
  --check-registry          ask each pulled image's registry (through the engine, with its credentials)
                            whether its manifest is still there; one that is gone is flagged
  --native                  let the engine prune in one call (POST /images/prune) instead of image by
                            image; no per-image progress, no protect/keep-latest/unused-for/source

Where (one of; default: the engine the docker CLI would use, in the docker CLI's order: DOCKER_HOST
(with DOCKER_TLS_VERIFY/DOCKER_CERT_PATH), else DOCKER_CONTEXT, else the current context in
~/.docker/config.json, else the local engine — /var/run/docker.sock, or npipe:////./pipe/docker_engine
on Windows. A context named there that does not exist is an error, as it is for docker):
  -H, --host HOST           unix:///path/docker.sock, npipe:////./pipe/NAME, tcp://host:port,
                            ssh://user@host[:port]; one only. Like "docker -H", it comes before
                            DOCKER_HOST and DOCKER_CONTEXT
  --context NAME            a docker context from $DOCKER_CONFIG or ~/.docker (repeatable; "default" is
                            DOCKER_HOST or the local engine); like "docker --context", it comes before
                            DOCKER_HOST, and not together with --host. The current context is never changed.
  --env NAME                an environment by name (repeatable): one from the config file, a context,
                            "local", "podman", "podman (rootless)"
  --all-envs                every environment at once: the default engine, every context, Podman's sockets
                            and the config file's list; planned and pruned concurrently, one report each
  --config FILE             JSON file with {"environments":[{"name","host","tls":{"ca","cert","key","verify"},
                            "ssh":{"client","configFile","identityFile","knownHostsFile","strictHostKeyChecking"},"readOnly",
                            "protected"}]} (default: $DOCKER_PRUNE_CONFIG, else
                            $XDG_CONFIG_HOME/docker-prune/config.json, else ~/.config/docker-prune/config.json)
  --env-timeout SECONDS     time limit per environment for reading and planning (default 120); a slow or
                            dead environment fails alone, the others go on
  --request-timeout SECONDS time limit of one request to the engine (default 30 for reads, 120 for deletes);
                            a hung engine stops the prune at that limit, the rest reported as not attempted
  --confirm NAME            confirm pruning the protected environment NAME without typing it (repeatable);
                            read-only environments are never pruned

Output and safety:
  --json                    machine-readable output:
                              plan:  {"images":[{"id","tags","action","bytes"}],"spaceReclaimable":N}
                              prune: {"ImagesDeleted":[{"Untagged"}|{"Deleted"}],"SpaceReclaimed":N,"skipped":[...]}
                              several environments: {"environments":[{"id","name","host","ok", …the above
                              | "error":{"kind","message"}}], "spaceReclaimable"|"SpaceReclaimed": total}
                              audit: {"file","corruptLines","corruptLineNumbers","newerFormat"?,"prunes":[{"pruneId","status","reason","started",
                              "environment","engineId","plan","result","recorded","engine"}]}
  -y, --yes                 do not ask for confirmation (required when not on a terminal)
  --audit-file PATH         where prunes are recorded: a start line with the whole plan, progress lines, an end
                            line (default: $DOCKER_PRUNE_AUDIT_FILE, else $XDG_STATE_HOME/docker-prune/audit.jsonl,
                            else ~/.local/state/docker-prune/audit.jsonl; %LOCALAPPDATA%\\docker-prune\\audit.jsonl
                            on Windows). The VS Code extension writes to the same file by default.
  --limit N                 audit: list the N most recent prunes (default 20)

Build cache (BuildKit's, as "docker builder prune"; one environment: -H, --context or --env):
  docker-prune builder plan  [options]   The build cache's size and the records a prune would remove
  docker-prune builder prune [options] [--yes]   Remove exactly those records (asks first on a terminal)
  -a, --all                 every record no build uses (default: dangling ones; internal, frontend and
                            records shared with an image stay)
  --filter until=VALUE      only records last used before VALUE (as above; unused-for=VALUE is the same)
  --keep-storage SIZE       stop once the cache is under SIZE (512MB, 10GB; binary units as docker's), least
                            recently used first; --reserved-space is its API 1.48 name
  --max-used-space SIZE, --min-free-space SIZE   API 1.48 (Docker 28) limits, as "docker builder prune"
  --native                  send the options to the engine and let BuildKit choose, as "docker builder prune"
  --json                    plan: {"records":[{"id","type","description","bytes","shared","lastUsed"}],
                            "spaceReclaimed":N,"diskBytes":N}; prune: {"CachesDeleted":[…],"SpaceReclaimed":N}

Images used by any container (running, stopped or created) are never removed or untagged. An image that
becomes in use after the preview is skipped, not forced. Ctrl-C stops between two images; a second
Ctrl-C quits at once (exit 130), as SIGTERM (143) and SIGHUP (129) do, each leaving an end record that
says so. "audit" checks interrupted prunes against the engine chosen as for "plan" (-H, --context, --env,
--all-envs), when it can be reached.

Exit codes: 0 done, 1 failed (engine unreachable, error, cancelled; with several environments: any of
them), 2 bad usage or input (unknown context or environment — DOCKER_CONTEXT's and config.json's too —,
--host with --context, invalid config, refused: read-only/protected).
`;
