package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// newCatalogCmd groups the service-item catalog's commands: they speak the catalog
// module's GraphQL like any client.
func newCatalogCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "catalog", Short: "Government service items: lists, devolution, guides, search, import and export"}
	cmd.AddCommand(newCatalogListCmd(), newCatalogSearchCmd(), newCatalogGuideCmd(), newCatalogImportCmd(),
		newCatalogExportCmd(), newCatalogDevolveCmd(), newCatalogUndoCmd(), newCatalogRateCmd())
	return cmd
}

const catalogNode = `tenant code implementationCode name type department implementingBody visits online promisedDays`

func printImplementations(nodes []map[string]any, total int) {
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "TENANT\tCODE\tNAME\tBODY\tVISITS\tPROMISED")
	for _, n := range nodes {
		fmt.Fprintf(w, "%v\t%v\t%v\t%v\t%v\t%v\n", n["tenant"], n["code"], n["name"], n["implementingBody"], n["visits"], n["promisedDays"])
	}
	w.Flush()
	fmt.Printf("%d of %d\n", len(nodes), total)
}

type implConn struct {
	TotalCount int              `json:"totalCount"`
	Nodes      []map[string]any `json:"nodes"`
}

func newCatalogListCmd() *cobra.Command {
	var tenantCode, department, typ string
	var first int
	var online, stored bool
	cmd := &cobra.Command{
		Use:   "list --tenant CODE",
		Short: "The implementation list in force at a tenant (--stored: the layers stored there)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			field := "effectiveImplementations"
			if stored {
				field = "serviceImplementations"
			}
			var out map[string]implConn
			q := `query($t:String!,$d:String,$y:String,$o:Boolean,$f:Int){x:` + field + `(tenant:$t,department:$d,type:$y,onlineOnly:$o,first:$f){totalCount nodes{` + catalogNode + `}}}`
			if err := newClient(cmd).do(cmd.Context(), q, map[string]any{"t": tenantCode, "d": department, "y": typ, "o": online, "f": first}, &out); err != nil {
				return err
			}
			printImplementations(out["x"].Nodes, out["x"].TotalCount)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&tenantCode, "tenant", "", "tenant code")
	f.StringVar(&department, "department", "", "only this department (org unit code)")
	f.StringVar(&typ, "type", "", "only this item type (01 行政许可 …)")
	f.BoolVar(&online, "online", false, "only fully online (不见面) implementations")
	f.BoolVar(&stored, "stored", false, "the implementations stored at the tenant, not the list in force")
	f.IntVar(&first, "first", 50, "how many")
	_ = cmd.MarkFlagRequired("tenant")
	return cmd
}

func newCatalogSearchCmd() *cobra.Command {
	var tenantCode string
	var first int
	cmd := &cobra.Command{
		Use:   "search WORDS --tenant CODE",
		Short: "Search names, conditions and materials (Chinese included) at a tenant and below",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var out map[string]implConn
			q := `query($t:String!,$q:String!,$f:Int){x:searchImplementations(tenant:$t,query:$q,first:$f){totalCount nodes{` + catalogNode + `}}}`
			if err := newClient(cmd).do(cmd.Context(), q, map[string]any{"t": tenantCode, "q": strings.Join(args, " "), "f": first}, &out); err != nil {
				return err
			}
			printImplementations(out["x"].Nodes, out["x"].TotalCount)
			return nil
		},
	}
	cmd.Flags().StringVar(&tenantCode, "tenant", "", "tenant code")
	cmd.Flags().IntVar(&first, "first", 20, "how many")
	_ = cmd.MarkFlagRequired("tenant")
	return cmd
}

func newCatalogGuideCmd() *cobra.Command {
	var tenantCode string
	cmd := &cobra.Command{
		Use:   "guide CODE --tenant CODE > guide.html",
		Short: "Write the service guide (办事指南) of an item in force at a tenant, as HTML",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var out struct {
				Guide string `json:"serviceGuide"`
			}
			if err := newClient(cmd).do(cmd.Context(), `query($t:String!,$c:String!){serviceGuide(tenant:$t,code:$c)}`, map[string]any{"t": tenantCode, "c": args[0]}, &out); err != nil {
				return err
			}
			_, err := os.Stdout.WriteString(out.Guide)
			return err
		},
	}
	cmd.Flags().StringVar(&tenantCode, "tenant", "", "tenant code")
	_ = cmd.MarkFlagRequired("tenant")
	return cmd
}

func newCatalogImportCmd() *cobra.Command {
	var tenantCode string
	var items, dryRun bool
	cmd := &cobra.Command{
		Use:   "import FILE.csv|FILE.xlsx --tenant CODE",
		Short: "Import an item list (CSV, or an XLSX workbook's first sheet) as the tenant's implementations, all rows or none, with a per-row report",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			var out struct {
				R struct {
					Rows, Items, Created, Updated, Unchanged int
					Errors                                   []struct {
						Row                   int
						Column, Path, Message string
					}
				} `json:"importServiceList"`
			}
			q := `mutation($t:String!,$c:String,$x:String,$i:Boolean,$d:Boolean){importServiceList(tenant:$t,csv:$c,xlsx:$x,items:$i,dryRun:$d){rows items created updated unchanged errors}}`
			vars := map[string]any{"t": tenantCode, "c": string(data), "i": items, "d": dryRun}
			if strings.EqualFold(filepath.Ext(args[0]), ".xlsx") {
				delete(vars, "c")
				vars["x"] = base64.StdEncoding.EncodeToString(data)
			}
			if err := newClient(cmd).do(cmd.Context(), q, vars, &out); err != nil {
				return err
			}
			r := out.R
			for _, e := range r.Errors {
				fmt.Printf("row %d %s%s: %s\n", e.Row, e.Column, e.Path, e.Message)
			}
			if len(r.Errors) > 0 {
				return fmt.Errorf("%d problem(s); nothing was imported", len(r.Errors))
			}
			fmt.Printf("%d rows: %d items, %d created, %d updated, %d unchanged\n", r.Rows, r.Items, r.Created, r.Updated, r.Unchanged)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&tenantCode, "tenant", "", "tenant code")
	f.BoolVar(&items, "items", false, "also define the basic-catalog items (at a province)")
	f.BoolVar(&dryRun, "dry-run", false, "check everything, write nothing")
	_ = cmd.MarkFlagRequired("tenant")
	return cmd
}

func newCatalogExportCmd() *cobra.Command {
	var tenantCode string
	cmd := &cobra.Command{
		Use:   "export --tenant CODE > list.csv",
		Short: "Write the implementation list in force at a tenant as CSV (re-importable)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			var out struct {
				CSV string `json:"exportServiceList"`
			}
			if err := newClient(cmd).do(cmd.Context(), `query($t:String!){exportServiceList(tenant:$t)}`, map[string]any{"t": tenantCode}, &out); err != nil {
				return err
			}
			_, err := os.Stdout.WriteString(out.CSV)
			return err
		},
	}
	cmd.Flags().StringVar(&tenantCode, "tenant", "", "tenant code")
	_ = cmd.MarkFlagRequired("tenant")
	return cmd
}

const devolutionFields = `id status codes targets created updated retired restored refused{code path reason}`

func printDevolution(d map[string]any) {
	b, _ := json.MarshalIndent(d, "", "  ")
	fmt.Println(string(b))
}

func newCatalogDevolveCmd() *cobra.Command {
	var from string
	var codes, targets []string
	var dryRun, skipRefused bool
	cmd := &cobra.Command{
		Use:   "devolve --from CITY --item CODE … --to TENANT=BODY NAME=CREDIT CODE … [--dry-run] [--skip-refused]",
		Short: "Hand items to districts or counties (下放), all or nothing unless --skip-refused; undo with catalog undo ID",
		RunE: func(cmd *cobra.Command, _ []string) error {
			var ts []map[string]any
			for _, t := range targets {
				parts := strings.SplitN(t, "=", 3)
				if len(parts) != 3 {
					return fmt.Errorf("--to %q: want TENANT=BODY NAME=CREDIT CODE", t)
				}
				ts = append(ts, map[string]any{"tenant": parts[0], "bodyName": parts[1], "creditCode": parts[2]})
			}
			var out struct {
				D map[string]any `json:"devolveItems"`
			}
			q := `mutation($in:DevolveInput!,$dry:Boolean){devolveItems(input:$in,dryRun:$dry){` + devolutionFields + `}}`
			in := map[string]any{"from": from, "codes": codes, "targets": ts, "skipRefused": skipRefused}
			if err := newClient(cmd).do(cmd.Context(), q, map[string]any{"in": in, "dry": dryRun}, &out); err != nil {
				return err
			}
			printDevolution(out.D)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&from, "from", "", "the handing tenant")
	f.StringSliceVar(&codes, "item", nil, "基本编码 to hand down (repeatable, or comma-separated)")
	f.StringArrayVar(&targets, "to", nil, "receiving tenant and its implementing body: TENANT=NAME=CREDITCODE (repeatable)")
	f.BoolVar(&dryRun, "dry-run", false, "write nothing: print the report the batch would have")
	f.BoolVar(&skipRefused, "skip-refused", false, "devolve the items that can be and list the others with the reason, instead of refusing the batch")
	_ = cmd.MarkFlagRequired("from")
	return cmd
}

func newCatalogUndoCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "undo DEVOLUTION-ID",
		Short: "Undo a devolution: the handing tier implements the items again",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var out struct {
				D map[string]any `json:"undoDevolution"`
			}
			if err := newClient(cmd).do(cmd.Context(), `mutation($id:ID!){undoDevolution(id:$id){`+devolutionFields+`}}`, map[string]any{"id": args[0]}, &out); err != nil {
				return err
			}
			printDevolution(out.D)
			return nil
		},
	}
}

func newCatalogRateCmd() *cobra.Command {
	var tenantCode, from, to string
	var by []string
	cmd := &cobra.Command{
		Use:   "rate --tenant CODE [--by tenant,department,month]",
		Short: "The online rate (网办率) of cases at a tenant and below",
		RunE: func(cmd *cobra.Command, _ []string) error {
			var out struct {
				Rates []struct {
					Tenant, Department, Month *string
					Cases, Online             int
					Rate                      float64
				} `json:"onlineRate"`
			}
			q := `query($t:String!,$f:String,$u:String,$b:[String!]){onlineRate(tenant:$t,from:$f,to:$u,by:$b){tenant department month cases online rate}}`
			if err := newClient(cmd).do(cmd.Context(), q, map[string]any{"t": tenantCode, "f": from, "u": to, "b": by}, &out); err != nil {
				return err
			}
			w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "TENANT\tDEPARTMENT\tMONTH\tCASES\tONLINE\tRATE")
			s := func(p *string) string {
				if p == nil {
					return "-"
				}
				return *p
			}
			for _, r := range out.Rates {
				fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d\t%.1f%%\n", s(r.Tenant), s(r.Department), s(r.Month), r.Cases, r.Online, 100*r.Rate)
			}
			return w.Flush()
		},
	}
	f := cmd.Flags()
	f.StringVar(&tenantCode, "tenant", "", "tenant code")
	f.StringVar(&from, "from", "", "first month, YYYY-MM")
	f.StringVar(&to, "to", "", "last month, YYYY-MM")
	f.StringSliceVar(&by, "by", nil, "group by tenant, department and/or month")
	_ = cmd.MarkFlagRequired("tenant")
	return cmd
}
