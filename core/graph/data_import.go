package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/audit"
	"github.com/gdbos/gdbos/core/entity"
	"github.com/gdbos/gdbos/core/store/ent"
)

// maxImportBytes bounds one import's body.
const maxImportBytes = 4 << 30

var errRollback = errors.New("import rolled back")

// ImportHandler serves POST /data/{tenant}/import/{entity}?format=csv|json|ndjson
// [&continueOnError=true][&progress=N]: the body's rows become records in one
// transaction, each checked like a created record. The answer streams NDJSON:
// {"progress": rows} lines every N rows (default 10,000), then {"report": {...}}
// listing every failed row with its field and rule. Without continueOnError one bad
// row imports nothing.
func (g *Graph) ImportHandler() http.Handler {
	return g.bulk(func(ctx context.Context, w http.ResponseWriter, r *http.Request, d dataTable) error {
		q := r.URL.Query()
		every, err := progressEvery(q.Get("progress"))
		if err != nil {
			return err
		}
		opts := entity.ImportOptions{
			Format: q.Get("format"), ContinueOnError: q.Get("continueOnError") == "true",
			Default: d.t.Code, Actor: CallerFrom(ctx).Principal.Username, ProgressEvery: every,
			Refs: d.relatedScope(ctx),
			Tenant: func(code string) (string, error) {
				t, ok := d.g.svc.Tenants.Get(code)
				if !ok || !strings.HasPrefix(t.Path, d.t.Path) {
					return "", fmt.Errorf("tenant %q is not %s or below it", code, d.t.Code)
				}
				// Checked without recording each refusal: the import's transaction
				// holds SQLite's write lock, which an audit entry of its own would wait
				// for. The report names the refused rows.
				if !d.g.allowed(ctx, code, d.typ, "write") {
					return "", fmt.Errorf("you may not write %s at %s", d.typ, code)
				}
				return t.Path, nil
			},
		}
		if err := d.g.Authorize(ctx, d.t.Code, d.typ, "write"); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/x-ndjson")
		enc := json.NewEncoder(w)
		flusher, _ := w.(http.Flusher)
		opts.Progress = func(n int) {
			_ = enc.Encode(map[string]int{"progress": n})
			if flusher != nil {
				flusher.Flush()
			}
		}
		var rep entity.ImportReport
		body := http.MaxBytesReader(w, r.Body, maxImportBytes)
		start := time.Now()
		err = d.g.svc.Store.Tx(ctx, func(tx *ent.Tx) error {
			var err error
			if rep, err = d.tb.Import(ctx, tx, body, opts); err != nil {
				return err
			}
			if rep.RolledBack {
				return errRollback
			}
			if err := d.emitImport(ctx, tx, rep.Imported); err != nil {
				return err
			}
			return d.g.svc.Audit.Append(ctx, tx, audit.Entry{Time: time.Now(), Actor: opts.Actor, Action: "record.import",
				Tenant: d.t.Code, Target: d.typ, Outcome: "ok", Detail: map[string]any{"imported": rep.Imported, "failed": rep.Failed}})
		})
		if err != nil && !errors.Is(err, errRollback) {
			if _, ok := apierr.As(err); ok {
				return err
			}
			d.g.log.ErrorContext(ctx, "import failed", "err", err)
			return apierr.New(apierr.Internal, "the import failed; nothing was imported")
		}
		return enc.Encode(map[string]any{"report": rep, "seconds": time.Since(start).Seconds()})
	})
}

// progressEvery reads the progress parameter of an import: rows between progress
// lines, so that a client importing a small file can show more than the report.
func progressEvery(s string) (int, error) {
	if s == "" {
		return 10000, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, apierr.Invalid("invalid import", []apierr.FieldError{{Path: "/progress",
			Message: fmt.Sprintf("must be a whole number of rows from 1 to 1000000, not %q", s)}})
	}
	return n, nil
}

// ExportHandler serves GET /data/{tenant}/export/{entity}?format=csv|json|ndjson:
// every record the caller may read there, masked as the API masks them.
func (g *Graph) ExportHandler() http.Handler {
	return g.bulk(func(ctx context.Context, w http.ResponseWriter, r *http.Request, d dataTable) error {
		scope, none, err := d.scope(ctx, "read")
		if err != nil {
			return err
		}
		if none {
			return d.g.Authorize(ctx, d.t.Code, d.typ, "read")
		}
		format := r.URL.Query().Get("format")
		ct := map[string]string{"": "text/csv; charset=utf-8", entity.FormatCSV: "text/csv; charset=utf-8",
			entity.FormatJSON: "application/json", entity.FormatNDJSON: "application/x-ndjson"}[format]
		if ct == "" {
			return apierr.New(apierr.BadRequest, "format must be csv, json or ndjson")
		}
		w.Header().Set("Content-Type", ct)
		rw, err := entity.NewRecordWriter(w, format, d.tb.Fields)
		if err != nil {
			return err
		}
		err = d.tb.Each(ctx, d.g.svc.Store.DB, scope, func(rec entity.Record) error {
			for _, f := range d.tb.Fields {
				if s, ok := rec[f.Name].(string); ok {
					m, err := d.g.maskedValue(ctx, d.typ, d.typ, rec["tenant"].(string), f.Name, s)
					if err != nil {
						return err
					}
					rec[f.Name] = m
				}
			}
			return rw.Write(rec)
		})
		if err != nil {
			return err
		}
		return rw.Close()
	})
}

// bulk authenticates and rate-limits a bulk request and finds its entity at its
// tenant; an error before anything is written is answered as JSON with its status.
func (g *Graph) bulk(fn func(ctx context.Context, w http.ResponseWriter, r *http.Request, d dataTable) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, ok := g.admitted(w, r, true)
		if !ok {
			return
		}
		d, err := g.bulkTable(r.PathValue("tenant"), r.PathValue("entity"))
		if err != nil {
			writeJSON(w, http.StatusNotFound, errorResponse(err))
			return
		}
		if err := fn(ctx, w, r, d); err != nil {
			writeJSON(w, statusOf(err), errorResponse(err))
		}
	})
}

func (g *Graph) bulkTable(code, name string) (dataTable, error) {
	t, ok := g.svc.Tenants.Get(code)
	if !ok || g.svc.Entities == nil {
		return dataTable{}, apierr.New(apierr.NotFound, "no tenant with code %q", code)
	}
	for _, tb := range g.svc.Entities.Tables(t.Code, t.Path) {
		if tb.Name == name {
			return dataTable{g: g, t: t, tb: tb, typ: TypeName(name)}, nil
		}
	}
	return dataTable{}, apierr.New(apierr.NotFound, "no entity %q at %s", name, code)
}

// statusOf is the HTTP status of an error answered outside GraphQL.
func statusOf(err error) int {
	switch apierr.CodeOf(err) {
	case apierr.Unauthenticated:
		return http.StatusUnauthorized
	case apierr.Forbidden:
		return http.StatusForbidden
	case apierr.NotFound:
		return http.StatusNotFound
	case apierr.ValidationFailed, apierr.BadRequest:
		return http.StatusBadRequest
	case apierr.Conflict, apierr.Locked:
		return http.StatusConflict
	case apierr.RateLimited:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}
