package resource

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/apierr"
)

const twoDocs = `# items
apiVersion: gdbos.io/v1
kind: Item
metadata:
  tenant: "230100"
  name: licence
  labels: {area: north}
spec:
  name: Licence
  nested: {anything: [1, "two"]}
locks: [/name]
---
{"apiVersion": "gdbos.io/v1", "kind": "Item", "metadata": {"tenant": "230102", "name": "licence"}, "spec": {"code": "7"}}
---
`

func TestDecode(t *testing.T) {
	objs, err := Decode([]byte(twoDocs))
	must(t, err)
	if len(objs) != 2 || objs[0].Metadata.Labels["area"] != "north" || !slices.Equal(objs[0].Locks, []string{"/name"}) ||
		objs[1].Metadata.Tenant != "230102" || objs[1].Spec["code"] != "7" {
		t.Fatalf("Decode = %+v", objs)
	}
	list, err := Decode([]byte(`[{"kind": "Item", "metadata": {"tenant": "1", "name": "a"}}, {"kind": "Item", "metadata": {"tenant": "1", "name": "b"}}]`))
	must(t, err)
	if len(list) != 2 || list[1].Metadata.Name != "b" || list[0].Spec == nil {
		t.Fatalf("Decode list = %+v", list)
	}
}

func TestDecodeStrict(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []string
	}{
		{"unknown fields everywhere but spec", `kind: Item
metadata: {tenant: "1", nmae: a, labels: {a: 1}}
spec: {whatever: true}
status: {}
`, []string{"document 1: /metadata/labels/a: must be a string", "document 1: /metadata/nmae: unknown field", "document 1: /status: unknown field"}},
		{"second document", "kind: Item\n---\nkind: [x]\nlocks: /a\nmetadata: {version: 1.5, updatedAt: yesterday}\n",
			[]string{"document 2: /kind: must be a string", "document 2: /locks: must be a list of strings", "document 2: /metadata/updatedAt: must be a time like 2006-01-02T15:04:05Z", "document 2: /metadata/version: must be a whole number"}},
		{"not an object", "- 1\n---\n42\n", []string{"document 1: /0: must be an object", "document 2: /: must be an object"}},
		{"bad yaml", "kind: [\n", []string{"document 1: "}},
		{"duplicate key", "kind: a\nkind: b\n", []string{"document 1: /kind: duplicate key"}},
		{"spec not an object", "spec: [1]\n", []string{"document 1: /spec: must be an object"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode([]byte(tc.in))
			e := wantCode(t, err, apierr.ValidationFailed)
			got := paths(e)
			slices.Sort(got)
			var full []string
			for _, f := range e.Fields {
				full = append(full, f.Path+": "+f.Message)
			}
			slices.Sort(full)
			if len(tc.want) == 1 && tc.want[0] == "document 1: " {
				if len(got) != 1 || got[0] != "document 1: " {
					t.Fatalf("got %q", full)
				}
				return
			}
			if !slices.Equal(full, tc.want) {
				t.Fatalf("got  %q\nwant %q", full, tc.want)
			}
		})
	}
}

func TestEncodeYAMLRoundTrip(t *testing.T) {
	objs := []Object{
		item("230100", "a", map[string]any{"name": "x", "n": 1.5, "big": 1e21, "s": "230100", "yes": "yes", "multi": "a\n---\nb", "empty": map[string]any{}, "list": []any{}, "null": nil}, "/name"),
		{APIVersion: "gdbos.io/v1", Kind: "Role", Metadata: Metadata{Tenant: "230000", Name: "r", Labels: map[string]string{"k": "值"}, Version: 3,
			UpdatedAt: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), UpdatedBy: "me"}, Spec: map[string]any{}},
	}
	b, err := EncodeYAML(objs)
	must(t, err)
	back, err := Decode(b)
	must(t, err)
	if len(back) != 2 {
		t.Fatalf("round trip: %d objects\n%s", len(back), b)
	}
	for i := range objs {
		if !equalValue(objs[i], back[i]) {
			t.Fatalf("object %d:\n got %#v\nwant %#v\n%s", i, back[i], objs[i], b)
		}
	}
	again, err := EncodeYAML(back)
	must(t, err)
	if !bytes.Equal(b, again) {
		t.Fatalf("encoding is not stable:\n%s\n%s", b, again)
	}
}

func FuzzDecode(f *testing.F) {
	for _, seed := range []string{twoDocs, "", "---\n---\n", "[1, {}]", "kind: [\n", "--- {kind: Item}\n", "metadata: {updatedAt: 2026-01-01T00:00:00Z, version: 2}\n",
		"spec: {on: no, y: NO, n: [yes, off, 0x1F, 1e3, '0123', ~, '~']}\n", "spec: {d: &d {a: 1}, m: {<<: *d, b: 2}}\n"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, err := Decode(data)
		if err != nil {
			if _, ok := apierr.As(err); !ok {
				t.Fatalf("error is not an *apierr.Error: %v", err)
			}
			return
		}
		b, err := EncodeYAML(objs)
		if err != nil {
			t.Fatalf("EncodeYAML: %v", err)
		}
		back, err := Decode(b)
		if err != nil {
			t.Fatalf("Decode(EncodeYAML(objs)): %v\n%s", err, b)
		}
		if len(back) != len(objs) {
			t.Fatalf("round trip: %d objects, want %d\n%s", len(back), len(objs), b)
		}
		for i := range objs {
			if !equalValue(objs[i].Spec, back[i].Spec) || objs[i].Metadata.Name != back[i].Metadata.Name {
				t.Fatalf("round trip of object %d:\n got %#v\nwant %#v\n%s", i, back[i], objs[i], b)
			}
		}
		if again, err := EncodeYAML(back); err != nil || !bytes.Equal(again, b) {
			t.Fatalf("encoding is not stable (%v):\n%s\n%s", err, b, again)
		}
	})
}
