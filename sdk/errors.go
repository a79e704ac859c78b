package sdk

import "fmt"

// Error is an error a handler returns on purpose, with a code the caller sees
// (NOT_FOUND, BAD_REQUEST, FORBIDDEN, CONFLICT, VALIDATION_FAILED). Any other error reaches the caller
// as PLUGIN_ERROR with its message.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with code and a formatted message.
func Errorf(code, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}
