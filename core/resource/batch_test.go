package resource

import (
	"context"
	"fmt"
	"testing"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/store/storetest"
)

// TestLargeBatch runs batches big enough to be prefetched: a batch sees its own
// writes (a parent's lock written earlier in the batch binds a child later in it,
// a child may come before its parent) exactly as a small batch does.
func TestLargeBatch(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		s := newService(t, st)
		var objs []Object
		for i := range prefetchMin {
			objs = append(objs, item("230100", fmt.Sprintf("n%d", i), map[string]any{"name": "N"}))
		}
		// The child first, then its parent: the merged result is checked at the end.
		batch := append(append([]Object{}, objs...), item("230102", "x", map[string]any{"code": "7"}), item("230100", "x", map[string]any{"name": "X"}, "/name"))
		apply(t, s, batch...)
		// A lock written earlier in a batch binds a later object of the same batch.
		bad := append(append([]Object{}, objs...), item("230100", "y", map[string]any{"name": "Y"}, "/name"), item("230102", "y", map[string]any{"name": "Other"}))
		_, err := s.Apply(ctx, "t", bad, ApplyOptions{})
		if e := wantCode(t, err, apierr.Locked); e.Details["lockedBy"] != "230100" {
			t.Fatalf("%v", e)
		}
		// The same name twice at one tenant: the second write sees the first.
		twice := append(append([]Object{}, objs...), item("230100", "z", map[string]any{"name": "Z1"}), item("230100", "z", map[string]any{"name": "Z2"}))
		res := apply(t, s, twice...)
		if last := res[len(res)-1]; last.Op != Updated || last.Object.Metadata.Version != 2 {
			t.Fatalf("second write of z: %+v", last)
		}
		// The batch's history rows are written too (in bulk at its end).
		hist, _, err := s.History(ctx, "Item", "230100", "z", 10, 0)
		must(t, err)
		if len(hist) != 2 || hist[0].Object.Spec["name"] != "Z2" || hist[1].Object.Spec["name"] != "Z1" {
			t.Fatalf("history of z: %+v", hist)
		}
		// An invalid merged result anywhere in the batch refuses it.
		invalid := append(append([]Object{}, objs...), item("230103", "w", map[string]any{"code": "1"}))
		if _, err := s.Apply(ctx, "t", invalid, ApplyOptions{}); apierr.CodeOf(err) != apierr.ValidationFailed {
			t.Fatalf("a layer without the required name: %v", err)
		}
	})
}
