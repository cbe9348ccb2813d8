// The command line of API.md: serve, import, export-sla, backup, user, check-config, sla.
#pragma once

namespace campusdesk {

// Exit status: 0 success, 2 bad arguments or config, 1 otherwise (one-line reason on stderr).
int run_cli(int argc, char** argv);

} // namespace campusdesk
