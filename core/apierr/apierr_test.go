package apierr

import (
	"errors"
	"fmt"
	"testing"
)

func TestCodeOfWrapped(t *testing.T) {
	err := fmt.Errorf("outer: %w", New(Locked, "field is locked"))
	if got := CodeOf(err); got != Locked {
		t.Fatalf("CodeOf = %s, want LOCKED", got)
	}
	if !errors.Is(err, New(Locked, "")) {
		t.Fatal("errors.Is by code failed")
	}
	if CodeOf(errors.New("plain")) != Internal {
		t.Fatal("plain error should be INTERNAL")
	}
}

func TestFieldListReportsEveryField(t *testing.T) {
	var l FieldList
	if l.Err("x") != nil {
		t.Fatal("empty list must be nil")
	}
	l.Add("/spec/a", "required")
	l.Add("/spec/b", "must be %s", "string")
	err := l.Err("invalid resource")
	e, ok := As(err)
	if !ok || e.Code != ValidationFailed || len(e.Fields) != 2 {
		t.Fatalf("got %#v", err)
	}
	if want := "invalid resource: /spec/a: required; /spec/b: must be string"; err.Error() != want {
		t.Fatalf("Error() = %q, want %q", err.Error(), want)
	}
}
