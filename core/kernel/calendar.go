package kernel

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"github.com/graphql-go/graphql"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/calendar"
	"github.com/gdbos/gdbos/core/resource"
)

// Bounds of one working-day request: about ten years either way, so that the list
// of skipped days stays a page a person can read.
const (
	maxCalendarDays = 2500
	maxCalendarSpan = 3700
)

// admitCalendar checks a Calendar resource beyond its JSON Schema: real dates,
// ranges in order, no date given twice.
func admitCalendar(_ context.Context, obj resource.Object, _ *resource.Object) error {
	_, err := calendar.ParseSpec(obj.Metadata.Tenant, obj.Spec)
	return err
}

// calendarCache holds, per tenant, the calendar built from the national table and
// the Calendar resources along the tenant's path. A write invalidates it after
// commit (reloadFor), on every replica; a build that raced an invalidation is not
// kept (gen).
type calendarCache struct {
	mu     sync.Mutex
	gen    uint64
	tree   uint64                      // the tenant tree generation built is for
	layers map[string][]calendar.Layer // tenant → its resources' layers; nil: not loaded
	built  map[string]*calendar.Calendar
}

func (k *Kernel) calendars() *calendarCache { return k.calendarCache }

// invalidateCalendars drops every built calendar; reloadFor calls it when a
// Calendar resource changed here or on another replica.
func (k *Kernel) invalidateCalendars() {
	c := k.calendars()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.layers = nil
	clear(c.built)
}

// Calendar returns the working-day calendar in force at a tenant: the national
// table with the Calendar resources of the tenant and of every tenant above it.
func (k *Kernel) Calendar(ctx context.Context, tenantCode string) (*calendar.Calendar, error) {
	lineage, ok := k.tenants.LineageCodes(tenantCode)
	if !ok {
		return nil, apierr.New(apierr.NotFound, "no tenant with code %q", tenantCode)
	}
	c := k.calendars()
	tree := k.tenants.Generation()
	c.mu.Lock()
	if c.tree != tree {
		c.tree = tree
		clear(c.built)
	}
	if cal, ok := c.built[tenantCode]; ok {
		c.mu.Unlock()
		return cal, nil
	}
	gen, layers := c.gen, c.layers
	c.mu.Unlock()

	national, err := calendar.National()
	if err != nil {
		return nil, err
	}
	if layers == nil {
		if layers, err = k.loadCalendarLayers(ctx); err != nil {
			return nil, err
		}
	}
	var mine []calendar.Layer
	for _, t := range lineage {
		mine = append(mine, layers[t]...)
	}
	cal := calendar.New(national, mine...)

	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen && c.tree == tree {
		c.layers = layers
		c.built[tenantCode] = cal
	}
	return cal, nil
}

// loadCalendarLayers reads every Calendar resource, by tenant, in name order.
func (k *Kernel) loadCalendarLayers(ctx context.Context) (map[string][]calendar.Layer, error) {
	objs, err := k.resources.All(ctx, "Calendar")
	if err != nil {
		return nil, err
	}
	slices.SortFunc(objs, func(a, b resource.Object) int { return cmp.Compare(a.Metadata.Name, b.Metadata.Name) })
	out := map[string][]calendar.Layer{}
	for _, o := range objs {
		l, err := calendar.ParseSpec(o.Metadata.Tenant, o.Spec)
		if err != nil { // admitted under older rules: leave it out rather than fail every deadline
			k.log.WarnContext(ctx, "calendar resource ignored", slog.String("tenant", o.Metadata.Tenant), slog.String("name", o.Metadata.Name), slog.Any("err", err))
			continue
		}
		out[o.Metadata.Tenant] = append(out[o.Metadata.Tenant], l)
	}
	return out, nil
}

// calendarFields adds the working-day queries. Reading the calendar needs a signed-in
// caller and nothing more (ADR 12): working days are public information.
func (k *Kernel) calendarFields(q graphql.Fields) {
	day := graphql.NewObject(graphql.ObjectConfig{
		Name:        "CalendarDay",
		Description: "A day that is not an ordinary Monday-to-Friday working day, and who decided it.",
		Fields: graphql.Fields{
			"date":    &graphql.Field{Type: graphql.NewNonNull(graphql.String)},
			"weekday": &graphql.Field{Type: graphql.NewNonNull(graphql.String)},
			"working": &graphql.Field{Type: graphql.NewNonNull(graphql.Boolean), Description: "true for a weekend day worked (调休上班) or opened by a tenant."},
			"kind":    &graphql.Field{Type: graphql.NewNonNull(graphql.String), Description: "weekend, holiday, adjusted-workday, closure or extra-workday."},
			"reason":  &graphql.Field{Type: graphql.NewNonNull(graphql.String)},
			"layer":   &graphql.Field{Type: graphql.NewNonNull(graphql.String), Description: "national, or the code of the tenant whose Calendar decided the day."},
		},
	})
	days := graphql.NewNonNull(graphql.NewList(graphql.NewNonNull(day)))
	common := func() graphql.Fields {
		return graphql.Fields{
			"tenant":   &graphql.Field{Type: graphql.NewNonNull(graphql.String)},
			"from":     &graphql.Field{Type: graphql.NewNonNull(graphql.String)},
			"skipped":  &graphql.Field{Type: days, Description: "Days not counted: weekends, holidays, closures."},
			"worked":   &graphql.Field{Type: days, Description: "Weekend or closed days counted because they were worked."},
			"coverage": &graphql.Field{Type: graphql.String, Description: "Set when part of the range lies outside the national holiday data (2020–2026): there only weekends and local entries are days off."},
		}
	}
	added := common()
	added["days"] = &graphql.Field{Type: graphql.NewNonNull(graphql.Int)}
	added["date"] = &graphql.Field{Type: graphql.NewNonNull(graphql.String), Description: "The last day of the period (YYYY-MM-DD)."}
	counted := common()
	counted["to"] = &graphql.Field{Type: graphql.NewNonNull(graphql.String)}
	counted["count"] = &graphql.Field{Type: graphql.NewNonNull(graphql.Int), Description: "Working days after from up to and including to; negative when to is before from."}
	str := graphql.NewNonNull(graphql.String)

	q["addWorkingDays"] = &graphql.Field{
		Type:        graphql.NewNonNull(graphql.NewObject(graphql.ObjectConfig{Name: "WorkingDaysAdded", Fields: added})),
		Description: "The date days working days after from at a tenant (行政许可法: the day of acceptance does not count).",
		Args: graphql.FieldConfigArgument{
			"tenant": {Type: str}, "from": {Type: str}, "days": {Type: graphql.NewNonNull(graphql.Int)},
		},
		Resolve: func(p graphql.ResolveParams) (any, error) {
			var errs apierr.FieldList
			from := dateArg(p.Args, "from", &errs)
			n, _ := p.Args["days"].(int)
			if n < 0 || n > maxCalendarDays {
				errs.Add("days", "must be 0 to %d, got %d", maxCalendarDays, n)
			}
			if err := errs.Err("invalid working-day request"); err != nil {
				return nil, err
			}
			tenantCode, _ := p.Args["tenant"].(string)
			cal, err := k.Calendar(p.Context, tenantCode)
			if err != nil {
				return nil, err
			}
			to, err := cal.AddWorkingDays(from, n)
			if err != nil {
				return nil, err
			}
			out := dayAnswer(cal, tenantCode, from, to)
			out["days"], out["date"] = n, to.String()
			return out, nil
		},
	}
	q["workingDaysBetween"] = &graphql.Field{
		Type:        graphql.NewNonNull(graphql.NewObject(graphql.ObjectConfig{Name: "WorkingDaysCounted", Fields: counted})),
		Description: "The number of working days after from up to and including to at a tenant.",
		Args:        graphql.FieldConfigArgument{"tenant": {Type: str}, "from": {Type: str}, "to": {Type: str}},
		Resolve: func(p graphql.ResolveParams) (any, error) {
			var errs apierr.FieldList
			from, to := dateArg(p.Args, "from", &errs), dateArg(p.Args, "to", &errs)
			if len(errs) == 0 && max(to-from, from-to) > maxCalendarSpan {
				errs.Add("to", "at most %d days from from", maxCalendarSpan)
			}
			if err := errs.Err("invalid working-day request"); err != nil {
				return nil, err
			}
			tenantCode, _ := p.Args["tenant"].(string)
			cal, err := k.Calendar(p.Context, tenantCode)
			if err != nil {
				return nil, err
			}
			out := dayAnswer(cal, tenantCode, min(from, to), max(from, to))
			out["from"], out["to"], out["count"] = from.String(), to.String(), cal.WorkingDaysBetween(from, to)
			return out, nil
		},
	}
}

func dateArg(args map[string]any, name string, errs *apierr.FieldList) calendar.Date {
	s, _ := args[name].(string)
	d, err := calendar.ParseDate(s)
	if err != nil {
		errs.Add(name, "%s", strings.TrimPrefix(err.Error(), "calendar: "))
	}
	return d
}

// dayAnswer is what both queries show of the days after from up to to.
func dayAnswer(cal *calendar.Calendar, tenantCode string, from, to calendar.Date) map[string]any {
	skipped, worked := []any{}, []any{}
	for _, d := range cal.Days(from, to) {
		v := map[string]any{"date": d.Date.String(), "weekday": d.Date.Weekday().String(), "working": d.Working,
			"kind": string(d.Kind), "reason": d.Reason, "layer": d.Layer}
		if d.Working {
			worked = append(worked, v)
		} else {
			skipped = append(skipped, v)
		}
	}
	out := map[string]any{"tenant": tenantCode, "from": from.String(), "skipped": skipped, "worked": worked, "coverage": nil}
	if w := cal.Coverage(from, to); w != "" {
		out["coverage"] = w
	}
	return out
}
