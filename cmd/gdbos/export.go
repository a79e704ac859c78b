package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"

	"github.com/spf13/cobra"
)

func newExportCmd() *cobra.Command {
	var tenantCode, file, entityName, format string
	var subtree bool
	cmd := &cobra.Command{
		Use:   "export --tenant CODE [--subtree] [-f FILE] | export --entity NAME --tenant CODE [--format csv|json|ndjson] [-f FILE]",
		Short: "Write a tenant's resources as YAML that gdbos apply re-imports, or an entity's records",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if entityName != "" {
				w := os.Stdout
				if file != "" && file != "-" {
					f, err := os.Create(file)
					if err != nil {
						return err
					}
					defer f.Close()
					w = f
				}
				return exportRecords(cmd.Context(), newClient(cmd), tenantCode, entityName, format, w)
			}
			var out struct {
				Y string `json:"exportResources"`
			}
			err := newClient(cmd).do(cmd.Context(), `query($t:String!,$s:Boolean){exportResources(tenant:$t,subtree:$s)}`,
				map[string]any{"t": tenantCode, "s": subtree}, &out)
			if err != nil {
				return err
			}
			if file == "" || file == "-" {
				fmt.Print(out.Y)
				return nil
			}
			return os.WriteFile(file, []byte(out.Y), 0o644)
		},
	}
	cmd.Flags().StringVarP(&tenantCode, "tenant", "t", "", "tenant code")
	_ = cmd.MarkFlagRequired("tenant")
	cmd.Flags().BoolVar(&subtree, "subtree", false, "include every tenant below it")
	cmd.Flags().StringVarP(&file, "file", "f", "", "write here instead of standard output")
	cmd.Flags().StringVarP(&entityName, "entity", "e", "", "export this entity's records instead of resources")
	cmd.Flags().StringVar(&format, "format", "csv", "records: csv, json or ndjson")
	return cmd
}

func newAuditCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Read and verify the audit log"}
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Check the hash chain; name any changed, removed or reordered entry",
		RunE: func(cmd *cobra.Command, _ []string) error {
			var out struct {
				R struct {
					OK       bool
					Checked  int
					Problems []struct{ ID, Kind, Message string }
				} `json:"auditVerify"`
			}
			if err := newClient(cmd).do(cmd.Context(), `{auditVerify{ok checked problems{id kind message}}}`, nil, &out); err != nil {
				return err
			}
			if out.R.OK {
				fmt.Printf("audit log intact: %d entries verified\n", out.R.Checked)
				return nil
			}
			for _, p := range out.R.Problems {
				fmt.Printf("entry %s %s: %s\n", p.ID, p.Kind, p.Message)
			}
			return fmt.Errorf("audit log verification failed: %d problem(s) in %d entries", len(out.R.Problems), out.R.Checked)
		},
	}
	var tenantCode, actor string
	var first int
	list := &cobra.Command{
		Use:   "log",
		Short: "List audit entries, newest first",
		RunE: func(cmd *cobra.Command, _ []string) error {
			var out struct {
				A struct {
					Nodes []map[string]any `json:"nodes"`
				} `json:"auditEntries"`
			}
			vars := map[string]any{"f": first}
			if tenantCode != "" {
				vars["t"] = tenantCode
			}
			if actor != "" {
				vars["a"] = actor
			}
			if err := newClient(cmd).do(cmd.Context(), `query($t:String,$a:String,$f:Int){auditEntries(tenant:$t,actor:$a,first:$f){nodes{id time actor action tenant target outcome}}}`, vars, &out); err != nil {
				return err
			}
			for _, n := range out.A.Nodes {
				fmt.Printf("%v %v %v %v %v %v %v\n", n["id"], n["time"], n["actor"], n["action"], orDash(n["tenant"]), orDash(n["target"]), n["outcome"])
			}
			return nil
		},
	}
	list.Flags().StringVarP(&tenantCode, "tenant", "t", "", "only this tenant")
	list.Flags().StringVar(&actor, "actor", "", "only this user")
	list.Flags().IntVar(&first, "first", 50, "how many")
	cmd.AddCommand(verify, list)
	return cmd
}

func newQueryCmd() *cobra.Command {
	var vars, dataTenant string
	cmd := &cobra.Command{
		Use:   "query 'GRAPHQL' [--variables JSON] [--tenant CODE]",
		Short: "Run a GraphQL query or mutation and print its data as JSON",
		Long:  "Run GraphQL on the kernel's API, or with --tenant on that tenant's data API (/data/CODE/graphql: its entities' records).",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var v map[string]any
			if vars != "" {
				if err := json.Unmarshal([]byte(vars), &v); err != nil {
					return fmt.Errorf("--variables must be a JSON object: %w", err)
				}
			}
			var out any
			c := newClient(cmd)
			if dataTenant != "" {
				c.path = "/data/" + url.PathEscape(dataTenant) + "/graphql"
			}
			if err := c.do(cmd.Context(), args[0], v, &out); err != nil {
				return err
			}
			return printValue(out, "json")
		},
	}
	cmd.Flags().StringVar(&vars, "variables", "", "variables as a JSON object")
	cmd.Flags().StringVarP(&dataTenant, "tenant", "t", "", "run on this tenant's data API")
	return cmd
}
