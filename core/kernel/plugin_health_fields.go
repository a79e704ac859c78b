package kernel

import (
	"time"

	"github.com/graphql-go/graphql"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/plugin"
)

// pluginHealthType is plugin.Health in GraphQL.
var pluginHealthType = graphql.NewObject(graphql.ObjectConfig{
	Name:        "PluginHealth",
	Description: "An installed plugin's process now, and its starts, crashes and calls since this server started (the figures of /metrics).",
	Fields: graphql.Fields{
		"plugin": {Type: graphql.NewNonNull(graphql.String), Description: "The plugin's ID.", Resolve: health(func(h plugin.Health) any { return h.ID })},
		"state": {Type: graphql.NewNonNull(graphql.String), Description: "idle (starts on first use), starting, running or restarting.",
			Resolve: health(func(h plugin.Health) any { return h.State })},
		"running":       {Type: graphql.NewNonNull(graphql.Boolean), Resolve: health(func(h plugin.Health) any { return h.Running() })},
		"startedAt":     {Type: graphql.DateTime, Description: "When the running process started.", Resolve: health(func(h plugin.Health) any { return timeOrNil(h.StartedAt) })},
		"nextAttemptAt": {Type: graphql.DateTime, Description: "When a restarting plugin is started again (null: at once).", Resolve: health(func(h plugin.Health) any { return timeOrNil(h.NextAttempt) })},
		"crashesInARow": {Type: graphql.NewNonNull(graphql.Int), Description: "Crashes and failed starts since it last stayed up for 10 s; restarts back off with it.",
			Resolve: health(func(h plugin.Health) any { return h.CrashesInARow })},
		"lastError": {Type: graphql.String, Description: "Why the process last went down or did not start.", Resolve: health(func(h plugin.Health) any {
			if h.LastError == "" {
				return nil
			}
			return h.LastError
		})},
		"starts":          {Type: graphql.NewNonNull(graphql.Int), Resolve: health(func(h plugin.Health) any { return h.Starts })},
		"failedStarts":    {Type: graphql.NewNonNull(graphql.Int), Resolve: health(func(h plugin.Health) any { return h.FailedStarts })},
		"crashes":         {Type: graphql.NewNonNull(graphql.Int), Description: "Processes that exited or stopped answering health checks.", Resolve: health(func(h plugin.Health) any { return h.Crashes })},
		"calls":           {Type: graphql.NewNonNull(graphql.Int), Resolve: health(func(h plugin.Health) any { return h.Calls })},
		"errors":          {Type: graphql.NewNonNull(graphql.Int), Description: "Calls whose outcome was not ok, a handler's own errors among them.", Resolve: health(func(h plugin.Health) any { return h.Errors })},
		"timeouts":        {Type: graphql.NewNonNull(graphql.Int), Resolve: health(func(h plugin.Health) any { return h.Timeouts })},
		"badResponses":    {Type: graphql.NewNonNull(graphql.Int), Resolve: health(func(h plugin.Health) any { return h.BadResponses })},
		"unavailable":     {Type: graphql.NewNonNull(graphql.Int), Resolve: health(func(h plugin.Health) any { return h.Unavailable })},
		"meanCallMs":      {Type: graphql.Float, Description: "Mean call duration in milliseconds; null without calls.", Resolve: health(func(h plugin.Health) any { return msOrNil(h) })},
		"logLinesDropped": {Type: graphql.NewNonNull(graphql.Int), Resolve: health(func(h plugin.Health) any { return h.LogLinesDropped })},
		"outcomes": {Type: graphql.NewNonNull(graphql.NewList(graphql.NewNonNull(pluginOutcomeType))), Description: "Calls by operation and outcome.",
			Resolve: health(func(h plugin.Health) any { return h.Outcomes })},
		"faults": {Type: graphql.NewNonNull(graphql.NewList(graphql.NewNonNull(pluginFaultType))), Description: "Recent faults, newest first (at most 20): calls that timed out, were answered badly or found the plugin unavailable, crashes and failed starts.",
			Resolve: health(func(h plugin.Health) any { return h.Faults })},
	},
})

var pluginOutcomeType = graphql.NewObject(graphql.ObjectConfig{Name: "PluginCallOutcome", Fields: graphql.Fields{
	"op":      {Type: graphql.NewNonNull(graphql.String), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(plugin.OutcomeCount).Op, nil }},
	"outcome": {Type: graphql.NewNonNull(graphql.String), Description: "ok, error, timeout, bad_response, unavailable or dropped.", Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(plugin.OutcomeCount).Outcome, nil }},
	"count":   {Type: graphql.NewNonNull(graphql.Int), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(plugin.OutcomeCount).Count, nil }},
}})

var pluginFaultType = graphql.NewObject(graphql.ObjectConfig{Name: "PluginFault", Fields: graphql.Fields{
	"at": {Type: graphql.NewNonNull(graphql.DateTime), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(plugin.Fault).At, nil }},
	"op": {Type: graphql.String, Description: "The call's operation (resolve, action, quality, source, event), start, or null for a crash.", Resolve: func(p graphql.ResolveParams) (any, error) {
		if op := p.Source.(plugin.Fault).Op; op != "" {
			return op, nil
		}
		return nil, nil
	}},
	"kind":    {Type: graphql.NewNonNull(graphql.String), Description: "timeout, bad_response, unavailable, crash or start_failed.", Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(plugin.Fault).Kind, nil }},
	"message": {Type: graphql.NewNonNull(graphql.String), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(plugin.Fault).Message, nil }},
}})

func health(fn func(plugin.Health) any) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) { return fn(p.Source.(plugin.Health)), nil }
}

func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func msOrNil(h plugin.Health) any {
	if h.Calls == 0 || h.MeanCallSeconds == 0 {
		return nil
	}
	return h.MeanCallSeconds * 1000
}

// pluginHealthField adds pluginHealth, readable by whoever may read the catalog.
func (k *Kernel) pluginHealthField(q graphql.Fields, root func() string) {
	q["pluginHealth"] = &graphql.Field{
		Type:        graphql.NewNonNull(graphql.NewList(graphql.NewNonNull(pluginHealthType))),
		Description: "How the installed plugins are doing (one plugin with id): running or not, restarts, recent faults, calls and errors.",
		Args:        graphql.FieldConfigArgument{"id": {Type: graphql.String, Description: "One plugin's ID; all plugins without it."}},
		Resolve: func(p graphql.ResolveParams) (any, error) {
			if err := k.graph.Authorize(p.Context, root(), plugin.KindPlugin, "read"); err != nil {
				return nil, err
			}
			if id, _ := p.Args["id"].(string); id != "" {
				h, ok := k.plugins.Health(id)
				if !ok {
					return nil, apierr.New(apierr.NotFound, "no plugin %s is installed", id)
				}
				return []plugin.Health{h}, nil
			}
			var out []plugin.Health
			for _, e := range k.plugins.Entries() {
				if h, ok := k.plugins.Health(e.ID); ok {
					out = append(out, h)
				}
			}
			return out, nil
		},
	}
}
