// Command fbbench is `make bench`: Firebreak's benchmarks, printed with
// met/MISSED against their goals (internal/fbbench; docs/benchmarks.md).
package main

import (
	"os"

	"github.com/firebreak/firebreak/internal/fbbench"
)

func main() { os.Exit(fbbench.Main()) }
