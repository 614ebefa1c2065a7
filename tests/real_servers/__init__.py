"""Real server software for the opt-in `real_servers` tests: where setup.sh installed it,
and a harness that starts a server on 127.0.0.1 on a free port, waits until it answers,
and stops it."""
