package oidc

import (
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/apierr"
)

func TestPendingStoreBoundedAndSingleUse(t *testing.T) {
	now := time.Now()
	s := newPendingStore(2, time.Minute, func() time.Time { return now })
	a, err := s.put(pending{nonce: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.put(pending{nonce: "b"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.put(pending{nonce: "c"}); apierr.CodeOf(err) != apierr.RateLimited {
		t.Fatalf("third sign-in: %v, want RATE_LIMITED", err)
	}
	if p, err := s.take(a); err != nil || p.nonce != "a" {
		t.Fatalf("take = %+v, %v", p, err)
	}
	if _, err := s.take(a); apierr.CodeOf(err) != apierr.BadRequest {
		t.Fatalf("second take: %v, want BAD_REQUEST", err)
	}
	now = now.Add(2 * time.Minute)
	if _, err := s.put(pending{nonce: "d"}); err != nil {
		t.Fatalf("expired sign-ins are not swept: %v", err)
	}
}

func TestSameOriginPath(t *testing.T) {
	for in, ok := range map[string]bool{
		"": true, "/": true, "/console/?a=b": true,
		"//evil.example": false, "https://evil.example/": false, "/\\evil.example": false,
		"console": false, "javascript:alert(1)": false, "/a\r\nb": false,
	} {
		if _, err := sameOriginPath(in); (err == nil) != ok {
			t.Errorf("sameOriginPath(%q) = %v, want ok=%v", in, err, ok)
		}
	}
}
