package graph

import (
	"context"
	"errors"
	"log/slog"

	"github.com/gdbos/gdbos/core/apierr"
)

// gqlError carries an *apierr.Error into graphql-go, which copies Extensions into
// errors[].extensions.
type gqlError struct{ e *apierr.Error }

func (g gqlError) Error() string { return g.e.Error() }

func (g gqlError) Extensions() map[string]any {
	ext := map[string]any{"code": string(g.e.Code)}
	if len(g.e.Fields) > 0 {
		fields := make([]map[string]any, len(g.e.Fields))
		for i, f := range g.e.Fields {
			fields[i] = map[string]any{"path": f.Path, "message": f.Message}
		}
		ext["fields"] = fields
	}
	for k, v := range g.e.Details {
		if _, taken := ext[k]; !taken {
			ext[k] = v
		}
	}
	return ext
}

// toGQL turns any resolver error into one a caller may see. Errors without a code
// are logged and reported as INTERNAL without their text, which may hold internals.
// Coded turns a resolver's error into what GraphQL reports, with its code in
// extensions; for fields built outside this package (plugins).
func (g *Graph) Coded(ctx context.Context, err error) error { return g.toGQL(ctx, err) }

func (g *Graph) toGQL(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if e, ok := apierr.As(err); ok {
		return gqlError{e}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return gqlError{apierr.New(apierr.BadRequest, "request cancelled or timed out")}
	}
	g.log.ErrorContext(ctx, "graphql resolver failed", slog.Any("err", err))
	return gqlError{apierr.New(apierr.Internal, "internal error")}
}
