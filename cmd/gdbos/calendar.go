package main

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// calendarDay is one day a working-day answer explains.
type calendarDay struct {
	Date    string `json:"date"`
	Weekday string `json:"weekday"`
	Kind    string `json:"kind"`
	Reason  string `json:"reason"`
	Layer   string `json:"layer"`
}

// calendarAnswer is what addWorkingDays and workingDaysBetween both answer.
type calendarAnswer struct {
	Tenant   string        `json:"tenant"`
	From     string        `json:"from"`
	To       string        `json:"to,omitempty"`
	Days     *int          `json:"days,omitempty"`
	Date     string        `json:"date,omitempty"`
	Count    *int          `json:"count,omitempty"`
	Skipped  []calendarDay `json:"skipped"`
	Worked   []calendarDay `json:"worked"`
	Coverage *string       `json:"coverage"`
}

const calendarSelection = `tenant from skipped{date weekday kind reason layer} worked{date weekday kind reason layer} coverage`

func newCalendarCmd() *cobra.Command {
	var tenantCode, from, to, output string
	var days int
	cmd := &cobra.Command{
		Use:   "calendar",
		Short: "Working-day arithmetic for deadlines (statutory holidays and local closures excluded)",
	}
	add := &cobra.Command{
		Use:   "add --from DATE --days N --tenant CODE",
		Short: "The date N working days after DATE (the day of DATE itself does not count)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var out struct {
				A calendarAnswer `json:"addWorkingDays"`
			}
			err := newClient(cmd).do(cmd.Context(), `query($t:String!,$f:String!,$n:Int!){addWorkingDays(tenant:$t,from:$f,days:$n){days date `+calendarSelection+`}}`,
				map[string]any{"t": tenantCode, "f": from, "n": days}, &out)
			if err != nil {
				return err
			}
			if output != "" {
				return printValue(out.A, output)
			}
			fmt.Printf("%s: %d working days after %s end on %s\n", out.A.Tenant, *out.A.Days, out.A.From, out.A.Date)
			printCalendarDays(out.A)
			return nil
		},
	}
	between := &cobra.Command{
		Use:   "between --from DATE --to DATE --tenant CODE",
		Short: "The number of working days after DATE up to and including the --to date",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var out struct {
				A calendarAnswer `json:"workingDaysBetween"`
			}
			err := newClient(cmd).do(cmd.Context(), `query($t:String!,$f:String!,$to:String!){workingDaysBetween(tenant:$t,from:$f,to:$to){to count `+calendarSelection+`}}`,
				map[string]any{"t": tenantCode, "f": from, "to": to}, &out)
			if err != nil {
				return err
			}
			if output != "" {
				return printValue(out.A, output)
			}
			fmt.Printf("%s: %d working days after %s up to %s\n", out.A.Tenant, *out.A.Count, out.A.From, out.A.To)
			printCalendarDays(out.A)
			return nil
		},
	}
	for _, c := range []*cobra.Command{add, between} {
		f := c.Flags()
		f.StringVarP(&tenantCode, "tenant", "t", "", "tenant code (its calendar includes its parents' closures)")
		f.StringVar(&from, "from", "", "the day of acceptance, YYYY-MM-DD")
		f.StringVarP(&output, "output", "o", "", "yaml or json (default: text)")
		_ = c.MarkFlagRequired("tenant")
		_ = c.MarkFlagRequired("from")
	}
	add.Flags().IntVar(&days, "days", 0, "number of working days")
	_ = add.MarkFlagRequired("days")
	between.Flags().StringVar(&to, "to", "", "the last day, YYYY-MM-DD")
	_ = between.MarkFlagRequired("to")
	cmd.AddCommand(add, between)
	return cmd
}

// printCalendarDays lists the days skipped and the weekend days worked, with who
// decided each, then any coverage warning. The reason comes last: tabwriter aligns
// by bytes, and reasons are Chinese.
func printCalendarDays(a calendarAnswer) {
	if len(a.Skipped)+len(a.Worked) > 0 {
		w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "DATE\tWEEKDAY\tCOUNTED\tKIND\tBY\tREASON")
		rows := map[string]string{}
		for _, d := range a.Skipped {
			rows[d.Date] = fmt.Sprintf("%s\t%s\tno\t%s\t%s\t%s", d.Date, d.Weekday, d.Kind, d.Layer, d.Reason)
		}
		for _, d := range a.Worked {
			rows[d.Date] = fmt.Sprintf("%s\t%s\tyes\t%s\t%s\t%s", d.Date, d.Weekday, d.Kind, d.Layer, d.Reason)
		}
		for _, date := range slices.Sorted(maps.Keys(rows)) {
			fmt.Fprintln(w, rows[date])
		}
		_ = w.Flush()
	}
	if a.Coverage != nil {
		fmt.Println("warning:", *a.Coverage)
	}
}
