// Command gdbos runs the GDBOS server and talks to a running one, kubectl-style.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/gdbos/gdbos/core/apierr"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	root := newRoot()
	if err := root.ExecuteContext(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(exitCode(err))
	}
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "gdbos",
		Short:         "GDBOS, a low-code operating system for government services",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version,
	}
	root.PersistentFlags().String("server", "", "server URL (default: from gdbos login, $GDBOS_SERVER or http://127.0.0.1:8080)")
	root.AddCommand(
		newServeCmd(), newLoginCmd(), newLogoutCmd(), newApplyCmd(), newGetCmd(), newHistoryCmd(),
		newExplainCmd(), newDiffCmd(), newDeleteCmd(), newRevertCmd(), newExportCmd(), newAuditCmd(), newQueryCmd(), newAuthzCmd(), newPolicyCmd(), newAppointCmd(), newImportCmd(),
		newCalendarCmd(), newCatalogCmd(), newPluginCmd(),
	)
	return root
}

// exitCode maps error codes to distinct exit statuses for scripts.
func exitCode(err error) int {
	var ce *callError
	if errors.As(err, &ce) {
		switch ce.Code {
		case apierr.Unauthenticated, apierr.Forbidden:
			return 3
		case apierr.ValidationFailed, apierr.Locked, apierr.Conflict:
			return 4
		case apierr.NotFound:
			return 5
		}
	}
	return 1
}
