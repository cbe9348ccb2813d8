// campusdesk: the helpdesk of a city's school IT support.
#include "server/cli/cli.hpp"

int main(int argc, char** argv) { return campusdesk::run_cli(argc, argv); }
