package oidc

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/gdbos/gdbos/core/apierr"
)

// errorBody mirrors a GraphQL error: a message and extensions.code, with every
// failing field for VALIDATION_FAILED.
type errorBody struct {
	Errors []errorItem `json:"errors"`
}

type errorItem struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

var statusOf = map[apierr.Code]int{
	apierr.Unauthenticated:  http.StatusUnauthorized,
	apierr.Forbidden:        http.StatusForbidden,
	apierr.ValidationFailed: http.StatusUnprocessableEntity,
	apierr.Locked:           http.StatusLocked,
	apierr.NotFound:         http.StatusNotFound,
	apierr.Conflict:         http.StatusConflict,
	apierr.RateLimited:      http.StatusTooManyRequests,
	apierr.BadRequest:       http.StatusBadRequest,
}

// refuse audits a refused sign-in through providerKey and answers with err.
// who is the subject or username the provider asserted, if any.
func (f *Federation) refuse(w http.ResponseWriter, r *http.Request, providerKey, who string, err error) {
	status, item := f.refusal(r, providerKey, who, err)
	writeJSON(w, status, errorBody{Errors: []errorItem{item}})
}

// refuseTo is refuse for a sign-in started with a redirect: the browser goes back
// there with the refusal in the fragment (#code=…&error=…), for the page that
// started it to show, as a success comes back with the session.
func (f *Federation) refuseTo(w http.ResponseWriter, r *http.Request, redirect, providerKey, who string, err error) {
	if redirect == "" {
		f.refuse(w, r, providerKey, who, err)
		return
	}
	_, item := f.refusal(r, providerKey, who, err)
	frag := url.Values{"error": {item.Message}, "code": {fmt.Sprint(item.Extensions["code"])}}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, redirect+"#"+frag.Encode(), http.StatusSeeOther)
}

// refusal audits a refused sign-in and says it as an HTTP status and error.
func (f *Federation) refusal(r *http.Request, providerKey, who string, err error) (int, errorItem) {
	ctx := r.Context()
	reason := err.Error()
	e, ok := apierr.As(err)
	if ok {
		reason = e.Message
	}
	if aerr := f.cfg.Identities.RecordExternalRefusal(ctx, providerKey, who, f.cfg.ClientIP(r), reason); aerr != nil {
		f.cfg.Logger.ErrorContext(ctx, "oidc: audit refused sign-in", slog.Any("err", aerr))
	}
	status := http.StatusInternalServerError
	if ok {
		if s, known := statusOf[e.Code]; known {
			status = s
		}
	}
	if errors.Is(err, errUnavailable) {
		status = http.StatusBadGateway
	}
	item := errorItem{Message: "internal error", Extensions: map[string]any{"code": apierr.Internal}}
	if ok {
		item = errorItem{Message: e.Message, Extensions: map[string]any{"code": e.Code}}
		if len(e.Fields) > 0 {
			item.Message = e.Error()
			item.Extensions["fields"] = e.Fields
		}
	}
	if status >= 500 {
		f.cfg.Logger.WarnContext(ctx, "oidc: sign-in failed", slog.String("provider", providerKey), slog.Any("err", err))
	}
	return status, item
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
