package main

import (
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// located adds --tenant to a KIND NAME command and returns the variables for it.
func located(cmd *cobra.Command) *string {
	t := cmd.Flags().StringP("tenant", "t", "", "tenant code (required)")
	_ = cmd.MarkFlagRequired("tenant")
	return t
}

func newHistoryCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "history KIND NAME --tenant CODE", Short: "List a resource's versions, newest first", Args: cobra.ExactArgs(2)}
	tenantCode := located(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		var out struct {
			H struct {
				Nodes []struct {
					Version   int
					Op        string
					Author    string
					CreatedAt string
				} `json:"nodes"`
			} `json:"resourceHistory"`
		}
		err := newClient(cmd).do(cmd.Context(), `query($k:String!,$t:String!,$n:String!){resourceHistory(kind:$k,tenant:$t,name:$n,first:500){nodes{version op author createdAt}}}`,
			map[string]any{"k": args[0], "t": *tenantCode, "n": args[1]}, &out)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "VERSION\tOP\tAUTHOR\tTIME")
		for _, v := range out.H.Nodes {
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", v.Version, v.Op, orDash(v.Author), v.CreatedAt)
		}
		return w.Flush()
	}
	return cmd
}

func newExplainCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "explain KIND NAME --tenant CODE", Short: "Show where each effective field comes from", Args: cobra.ExactArgs(2)}
	tenantCode := located(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		var out struct {
			E []struct {
				Path        string
				Value       any
				Description string
			} `json:"explainResource"`
		}
		err := newClient(cmd).do(cmd.Context(), `query($k:String!,$t:String!,$n:String!){explainResource(kind:$k,tenant:$t,name:$n){path value description}}`,
			map[string]any{"k": args[0], "t": *tenantCode, "n": args[1]}, &out)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "FIELD\tVALUE\tORIGIN")
		for _, f := range out.E {
			fmt.Fprintf(w, "%s\t%s\t%s\n", f.Path, compact(f.Value), f.Description)
		}
		return w.Flush()
	}
	return cmd
}

func newDiffCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "diff KIND NAME --tenant CODE --from N --to M", Short: "Show what changed between two versions", Args: cobra.ExactArgs(2)}
	tenantCode := located(cmd)
	from := cmd.Flags().Int("from", 0, "older version")
	to := cmd.Flags().Int("to", 0, "newer version")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		var out struct {
			D []struct {
				Op, Path string
				Old, New any
			} `json:"resourceDiff"`
		}
		err := newClient(cmd).do(cmd.Context(), `query($k:String!,$t:String!,$n:String!,$f:Int!,$o:Int!){resourceDiff(kind:$k,tenant:$t,name:$n,from:$f,to:$o){op path old new}}`,
			map[string]any{"k": args[0], "t": *tenantCode, "n": args[1], "f": *from, "o": *to}, &out)
		if err != nil {
			return err
		}
		for _, d := range out.D {
			fmt.Printf("%s %s: %s → %s\n", d.Op, d.Path, compact(d.Old), compact(d.New))
		}
		return nil
	}
	return cmd
}

func newDeleteCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "delete KIND NAME --tenant CODE", Short: "Delete a resource's layer at a tenant (history keeps it)", Args: cobra.ExactArgs(2)}
	tenantCode := located(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		err := newClient(cmd).do(cmd.Context(), `mutation($k:String!,$t:String!,$n:String!){deleteResource(kind:$k,tenant:$t,name:$n)}`,
			map[string]any{"k": args[0], "t": *tenantCode, "n": args[1]}, nil)
		if err == nil {
			fmt.Printf("%s/%s/%s deleted\n", args[0], *tenantCode, args[1])
		}
		return err
	}
	return cmd
}

func newRevertCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "revert KIND NAME --tenant CODE --to-version N", Short: "Write an old version again as the newest", Args: cobra.ExactArgs(2)}
	tenantCode := located(cmd)
	version := cmd.Flags().Int("to-version", 0, "the version to restore")
	_ = cmd.MarkFlagRequired("to-version")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		var out struct {
			R struct{ Version int } `json:"revertResource"`
		}
		err := newClient(cmd).do(cmd.Context(), `mutation($k:String!,$t:String!,$n:String!,$v:Int!){revertResource(kind:$k,tenant:$t,name:$n,version:$v){version}}`,
			map[string]any{"k": args[0], "t": *tenantCode, "n": args[1], "v": *version}, &out)
		if err == nil {
			fmt.Printf("%s/%s/%s reverted to version %d as version %d\n", args[0], *tenantCode, args[1], *version, out.R.Version)
		}
		return err
	}
	return cmd
}
