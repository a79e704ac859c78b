// Package apierr defines the errors a caller of GDBOS sees: a stable code, a message,
// and for validation every failing field with its path. It imports nothing from core.
package apierr

import (
	"errors"
	"fmt"
	"strings"
)

// Code is a stable, machine-readable error class. It appears in GraphQL as
// errors[].extensions.code and in the CLI's output.
type Code string

// The codes callers can rely on.
const (
	Unauthenticated  Code = "UNAUTHENTICATED"
	Forbidden        Code = "FORBIDDEN"
	ValidationFailed Code = "VALIDATION_FAILED"
	Locked           Code = "LOCKED"
	NotFound         Code = "NOT_FOUND"
	Conflict         Code = "CONFLICT"
	RateLimited      Code = "RATE_LIMITED"
	BadRequest       Code = "BAD_REQUEST"
	Internal         Code = "INTERNAL"
	// PluginUnavailable: a plugin is not running or crashed during the call.
	PluginUnavailable Code = "PLUGIN_UNAVAILABLE"
	// PluginTimeout: a plugin did not answer within its timeout.
	PluginTimeout Code = "PLUGIN_TIMEOUT"
	// PluginBadResponse: a plugin answered something that does not fit.
	PluginBadResponse Code = "PLUGIN_BAD_RESPONSE"
	// PluginError: a plugin's handler reported an error of its own.
	PluginError Code = "PLUGIN_ERROR"
)

// FieldError is one problem with one field of an input, located by a JSON pointer
// ("/spec/permissions/0/actions") or, for GraphQL arguments, a dotted path.
type FieldError struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// Error is an error with a code that a caller may see.
type Error struct {
	Code    Code
	Message string
	// Fields lists every failing field (validation) or every locked field (LOCKED).
	Fields []FieldError
	// Details carries extra, code-specific facts (for LOCKED: the locking tenant).
	Details map[string]any
	// Err is the cause, kept for logs and errors.Is; it is not shown to the caller.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	for i, f := range e.Fields {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(f.Path)
		b.WriteString(": ")
		b.WriteString(f.Message)
	}
	return b.String()
}

// ErrorCode returns the code as a string, for packages that cannot import apierr
// (the plugin host passes it on to the plugin).
func (e *Error) ErrorCode() string { return string(e.Code) }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is matches another *Error by code, so errors.Is(err, apierr.New(apierr.NotFound, ""))
// works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// New returns an error with a code and a formatted message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error with a code and message whose cause is err.
func Wrap(code Code, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// Invalid returns a VALIDATION_FAILED error listing every field problem.
func Invalid(message string, fields []FieldError) *Error {
	return &Error{Code: ValidationFailed, Message: message, Fields: fields}
}

// CodeOf returns the code of the first *Error in err's chain, or Internal.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns the first *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// FieldList collects field errors, Kubernetes field.ErrorList style.
type FieldList []FieldError

// Add appends a problem at path.
func (l *FieldList) Add(path, format string, args ...any) {
	*l = append(*l, FieldError{Path: path, Message: fmt.Sprintf(format, args...)})
}

// Err returns nil when the list is empty, else a VALIDATION_FAILED error.
func (l FieldList) Err(message string) error {
	if len(l) == 0 {
		return nil
	}
	return Invalid(message, l)
}
