package main

import (
	"testing"

	"github.com/gdbos/gdbos/sdk/sdktest"
)

func TestHallsOfTheTenant(t *testing.T) {
	halls, err := load(hallsJSON)
	if err != nil {
		t.Fatal(err)
	}
	p := sdktest.Serve(t, New(halls), sdktest.Host{Tenant: "230102"})
	got, err := p.Resolve("halls", nil)
	if err != nil {
		t.Fatal(err)
	}
	if list := got.([]any); len(list) != 2 || list[0].(map[string]any)["name"] != "道里区政务服务中心" {
		t.Fatalf("halls = %v", got)
	}
	if got, _ := p.Resolve("hall", map[string]any{"id": "h-230103-1"}); got != nil {
		t.Fatalf("230102 reads 230103's hall: %v", got)
	}
	got, _ = p.Resolve("hall", map[string]any{"id": "h-230102-2"})
	if h := got.(map[string]any); h["windows"] != float64(6) || len(h["hours"].([]any)) != 1 {
		t.Fatalf("hall = %v", h)
	}
}
