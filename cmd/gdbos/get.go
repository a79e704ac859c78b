package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"
)

func newGetCmd() *cobra.Command {
	var tenantCode, output string
	var effective, subtree bool
	cmd := &cobra.Command{
		Use:   "get KIND [NAME] --tenant CODE",
		Short: "Show resources, or tenants (gdbos get tenants [CODE])",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c := newClient(cmd)
			kind := args[0]
			if kind == "tenants" || kind == "tenant" {
				code := tenantCode
				if len(args) == 2 {
					code = args[1]
				}
				return getTenants(cmd, c, code, output)
			}
			if tenantCode == "" {
				return fmt.Errorf("--tenant is required")
			}
			vars := map[string]any{"k": kind, "t": tenantCode}
			if len(args) == 1 {
				vars["s"] = subtree
				var out struct {
					Resources struct {
						Nodes []map[string]any `json:"nodes"`
					} `json:"resources"`
				}
				if err := c.do(cmd.Context(), `query($k:String!,$t:String!,$s:Boolean){resources(kind:$k,tenant:$t,subtree:$s,first:500){nodes{apiVersion kind tenant name version updatedBy updatedAt yaml}}}`, vars, &out); err != nil {
					return err
				}
				return printList(out.Resources.Nodes, output)
			}
			vars["n"] = args[1]
			if effective {
				var out struct {
					E map[string]any `json:"effectiveResource"`
				}
				if err := c.do(cmd.Context(), `query($k:String!,$t:String!,$n:String!){effectiveResource(kind:$k,tenant:$t,name:$n){kind tenant name spec layers locks{path tenant}}}`, vars, &out); err != nil {
					return err
				}
				return printValue(out.E, output)
			}
			var out struct {
				R map[string]any `json:"resource"`
			}
			if err := c.do(cmd.Context(), `query($k:String!,$t:String!,$n:String!){resource(kind:$k,tenant:$t,name:$n){apiVersion kind tenant name labels spec locks version updatedBy updatedAt yaml}}`, vars, &out); err != nil {
				return err
			}
			if output == "json" {
				delete(out.R, "yaml")
				return printValue(out.R, "json")
			}
			fmt.Print(out.R["yaml"])
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&tenantCode, "tenant", "t", "", "tenant code")
	f.BoolVar(&effective, "effective", false, "the spec in force at the tenant, inherited along its path")
	f.BoolVar(&subtree, "subtree", false, "list the tenant and every tenant below it")
	f.StringVarP(&output, "output", "o", "", "yaml or json (default: a table for lists, yaml for one)")
	return cmd
}

func getTenants(cmd *cobra.Command, c *client, code, output string) error {
	if code == "" {
		var out struct {
			Tenants struct {
				Nodes []map[string]any `json:"nodes"`
			} `json:"tenants"`
		}
		if err := c.do(cmd.Context(), `{tenants(first:500){nodes{code name level status}}}`, nil, &out); err != nil {
			return err
		}
		return printTenants(out.Tenants.Nodes, output)
	}
	var out struct {
		Tenant map[string]any `json:"tenant"`
	}
	if err := c.do(cmd.Context(), `query($c:String!){tenant(code:$c){code name level status parent{code} children{code name level status}}}`, map[string]any{"c": code}, &out); err != nil {
		return err
	}
	if output != "" {
		return printValue(out.Tenant, output)
	}
	fmt.Printf("%s %s (%s)\n", out.Tenant["code"], out.Tenant["name"], out.Tenant["level"])
	kids, _ := out.Tenant["children"].([]any)
	rows := make([]map[string]any, 0, len(kids))
	for _, k := range kids {
		rows = append(rows, k.(map[string]any))
	}
	return printTenants(rows, "")
}

func printTenants(rows []map[string]any, output string) error {
	if output != "" {
		return printValue(rows, output)
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "CODE\tNAME\tLEVEL\tSTATUS")
	for _, r := range rows {
		fmt.Fprintf(w, "%v\t%v\t%v\t%v\n", r["code"], r["name"], r["level"], r["status"])
	}
	return w.Flush()
}

func printList(rows []map[string]any, output string) error {
	switch output {
	case "yaml":
		for i, r := range rows {
			if i > 0 {
				fmt.Println("---")
			}
			fmt.Print(r["yaml"])
		}
		return nil
	case "json":
		for _, r := range rows {
			delete(r, "yaml")
		}
		return printValue(rows, "json")
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "KIND\tTENANT\tNAME\tVERSION\tUPDATED BY\tUPDATED AT")
	for _, r := range rows {
		fmt.Fprintf(w, "%v\t%v\t%v\t%v\t%v\t%v\n", r["kind"], r["tenant"], r["name"], r["version"], orDash(r["updatedBy"]), orDash(r["updatedAt"]))
	}
	return w.Flush()
}

func printValue(v any, output string) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if output == "json" {
		fmt.Println(string(b))
		return nil
	}
	y, err := yaml.JSONToYAML(b)
	if err != nil {
		return err
	}
	fmt.Print(string(y))
	return nil
}

func orDash(v any) any {
	if v == nil || v == "" {
		return "-"
	}
	return v
}

func compact(v any) string {
	if v == nil {
		return "∅"
	}
	b, _ := json.Marshal(v)
	s := string(b)
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return strings.ReplaceAll(s, "\n", " ")
}
