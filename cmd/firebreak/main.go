// Command firebreak is the one binary: the API server and worker (serve, api,
// worker), schema migrations, the SendGrid simulator and operator commands.
// The command tree, the configuration and the wiring are internal/cli's.
package main

import (
	"os"

	"github.com/firebreak/firebreak/internal/cli"
)

func main() { os.Exit(cli.Main()) }
