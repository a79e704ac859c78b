package resource

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/apierr"
)

// TestDecodeYAML12 checks that spec values keep the meaning YAML 1.2 gives them, and
// the Go types encoding/json produces.
func TestDecodeYAML12(t *testing.T) {
	cases := []struct {
		name string
		spec string // the body of a flow mapping, or a block after "spec:\n"
		want map[string]any
	}{
		{"on key stays a key", "{on: 1, off: 2, yes: 3, no: 4, y: 5, n: 6}",
			map[string]any{"on": 1.0, "off": 2.0, "yes": 3.0, "no": 4.0, "y": 5.0, "n": 6.0}},
		{"YAML 1.1 booleans stay strings", "{a: no, b: NO, c: yes, d: off, e: On, f: Y, g: n}",
			map[string]any{"a": "no", "b": "NO", "c": "yes", "d": "off", "e": "On", "f": "Y", "g": "n"}},
		{"country code NO", "{countries: [SE, NO, DK]}", map[string]any{"countries": []any{"SE", "NO", "DK"}}},
		{"booleans", "{a: true, b: false, c: True, d: FALSE}", map[string]any{"a": true, "b": false, "c": true, "d": false}},
		{"numbers are float64", "{i: 42, neg: -7, f: 1.5, e: 1e3, hex: 0x1F, oct: 0o17, big: 12345678901234567890, zero: 0}",
			map[string]any{"i": 42.0, "neg": -7.0, "f": 1.5, "e": 1000.0, "hex": 31.0, "oct": 15.0, "big": 12345678901234567890.0, "zero": 0.0}},
		{"nulls", "{a: ~, b: null, c: , d: '~', e: 'null'}", map[string]any{"a": nil, "b": nil, "c": nil, "d": "~", "e": "null"}},
		{"strings that look like other things", "{date: 2026-01-01, time: 1:20, quoted: '0123', tagged: !!str 12, code: \"230100\"}",
			map[string]any{"date": "2026-01-01", "time": "1:20", "quoted": "0123", "tagged": "12", "code": "230100"}},
		{"scalar keys keep their text", "{1: a, true: b, 1.50: c, 0123: d}", map[string]any{"1": "a", "true": "b", "1.50": "c", "0123": "d"}},
		{"aliases are copies", "\n  base: &b {x: 1, list: [a]}\n  other: *b\n",
			map[string]any{"base": map[string]any{"x": 1.0, "list": []any{"a"}}, "other": map[string]any{"x": 1.0, "list": []any{"a"}}}},
		{"merge keys", "\n  base: &b {x: 1, y: 2}\n  m:\n    <<: [*b, {z: 3, x: 9}]\n    y: 5\n  lt: <<\n",
			map[string]any{"base": map[string]any{"x": 1.0, "y": 2.0}, "m": map[string]any{"x": 1.0, "y": 5.0, "z": 3.0}, "lt": "<<"}},
		{"block scalars", "\n  text: |\n    line one\n    no\n", map[string]any{"text": "line one\nno\n"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sep := " "
			if strings.HasPrefix(tc.spec, "\n") {
				sep = ""
			}
			objs, err := Decode([]byte("kind: Item\nmetadata: {tenant: \"230100\", name: a}\nspec:" + sep + tc.spec + "\n"))
			must(t, err)
			if len(objs) != 1 || !equalValue(objs[0].Spec, tc.want) {
				t.Fatalf("spec = %#v\nwant   %#v", objs, tc.want)
			}
		})
	}
}

func TestDecodeJSONLikeYAML(t *testing.T) {
	y, err := Decode([]byte("kind: Item\nmetadata: {tenant: \"1\", name: a}\nspec: {n: 3, f: 0.5, s: \"no\", b: true, z: null, l: [1, \"on\"]}\n"))
	must(t, err)
	j, err := Decode([]byte(`{"kind": "Item", "metadata": {"tenant": "1", "name": "a"}, "spec": {"n": 3, "f": 0.5, "s": "no", "b": true, "z": null, "l": [1, "on"]}}`))
	must(t, err)
	if !equalValue(y, j) || j[0].Spec["n"] != 3.0 {
		t.Fatalf("YAML %#v\nJSON %#v", y, j)
	}
}

func TestDecodeYAML12Errors(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []string
	}{
		{"duplicate keys", "kind: Item\nspec: {a: 1, 'a': 2, b: {c: 1, c: 1}}\n",
			[]string{"document 1: /spec/a: duplicate key", "document 1: /spec/b/c: duplicate key"}},
		{"duplicate keys in JSON", `{"kind": "Item", "kind": "Item"}`, []string{"document 1: /kind: duplicate key"}},
		{"unknown fields in several documents", "kind: Item\nstatus: {}\n---\n# second\nkind: Item\nmetadata: {nmae: a, labels: {on: yes}}\n---\n- kind: Item\n- kind: Item\n  spce: {}\n",
			[]string{"document 1: /status: unknown field", "document 2: /metadata/nmae: unknown field", "document 3: /1/spce: unknown field"}},
		{"wrong types with paths", "kind: Item\nmetadata: {tenant: 230100, name: true, version: yes}\n",
			[]string{"document 1: /metadata/name: must be a string", "document 1: /metadata/tenant: must be a string", "document 1: /metadata/version: must be a whole number"}},
		{"null and collection keys", "kind: Item\nspec:\n  ~: a\n  ? [x]\n  : b\n  ? {y: 1}\n  : c\n",
			[]string{"document 1: /spec: keys must be strings, not a list", "document 1: /spec: keys must be strings, not a mapping", `document 1: /spec: keys must be strings, not null (quote "~" to use it as a key)`}},
		{"leading zeros", "kind: Item\nspec: {zip: 012345, ok: 12345}\n",
			[]string{"document 1: /spec/zip: 012345 is ambiguous: quote it to keep it as a string, or drop the leading zeros"}},
		{"not finite", "kind: Item\nspec: {a: .inf, b: [-.Inf, .nan]}\n",
			[]string{"document 1: /spec/a: must be a finite number", "document 1: /spec/b/0: must be a finite number", "document 1: /spec/b/1: must be a finite number"}},
		{"unknown tag", "kind: Item\nspec: {a: !secret x, b: !!set {x: null}}\n",
			[]string{"document 1: /spec/a: unsupported tag !secret", "document 1: /spec/b: unsupported tag !!set"}},
		{"bad tagged value", "kind: Item\nspec: {a: !!bool yes}\n", []string{"document 1: /spec/a: cannot decode !!str `yes` as a !!bool"}},
		{"alias to itself", "kind: Item\nspec: &s {a: *s}\n", []string{"document 1: /spec/a: alias *s refers to a value that contains it"}},
		{"merge of a scalar", "kind: Item\nspec: {<<: 1}\n", []string{"document 1: /spec/<<: must be a mapping or a list of mappings"}},
		{"not UTF-8", "kind: Item\nspec: {a: \"\\xff\", b: !!binary /w==, ok: !!binary aGk=}\n",
			[]string{"document 1: /spec/b: must be valid UTF-8 text"}},
		{"content after ...", "kind: Item\n...\nkind: Other\n", []string{"document 1: "}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode([]byte(tc.in))
			e := wantCode(t, err, apierr.ValidationFailed)
			var full []string
			for _, f := range e.Fields {
				full = append(full, f.Path+": "+f.Message)
			}
			slices.Sort(full)
			if len(tc.want) == 1 && tc.want[0] == "document 1: " {
				if len(e.Fields) != 1 || e.Fields[0].Path != "document 1: " {
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

func TestDecodeAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("kind: Item\nspec:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "  a%d: &a%d [", i, i)
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]\n")
	}
	start := time.Now()
	_, err := Decode([]byte(b.String()))
	e := wantCode(t, err, apierr.ValidationFailed)
	if len(e.Fields) != 1 || !strings.Contains(e.Fields[0].Message, "aliases expand to too many values") {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("alias bomb took %v", d)
	}

	// Moderate reuse is fine.
	objs, err := Decode([]byte("kind: Item\nspec:\n  d: &d {a: 1, b: 2}\n  l: [*d, *d, *d]\n"))
	must(t, err)
	if l := objs[0].Spec["l"].([]any); len(l) != 3 || !equalValue(l[2], map[string]any{"a": 1.0, "b": 2.0}) {
		t.Fatalf("spec = %#v", objs[0].Spec)
	}
}

func TestEncodeYAMLTrickyStrings(t *testing.T) {
	tricky := []string{"no", "NO", "on", "On", "off", "yes", "Y", "n", "true", "False", "0123", "012345", "1e3", "1.5", "0x1F", "0o17",
		"null", "Null", "~", "", "1:20", ".inf", "-.nan", "2026-01-01", "2026-01-02T03:04:05Z", "<<", "- x", "a: b", "# c", " lead", "trail ",
		"*x", "&y", "!tag", "%", "@", "`", "{}", "[]", "'", "\"", "a\nb", "a\n", "---", "...", "230100", "12345678901234567890"}
	spec := map[string]any{}
	for i, s := range tricky {
		spec[s] = s
		spec[fmt.Sprintf("list%02d", i)] = []any{s}
	}
	spec["numbers"] = []any{0.0, -1.0, 123456789.0, 1.5, 1e21, 1e-7, 9007199254740993.0}
	objs := []Object{item("230100", "no", spec, "/no"), item("NO", "on", map[string]any{"on": "off"})}
	b, err := EncodeYAML(objs)
	must(t, err)
	for _, want := range []string{`"no": "no"`, `"on": "on"`, `"0123": "0123"`, `"1e3": "1e3"`, `"null": "null"`, `"~": "~"`, `"1:20": "1:20"`, `"Y": "Y"`, `"2026-01-01": "2026-01-01"`, `tenant: "NO"`, `- 123456789` + "\n"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("output lacks %s:\n%s", want, b)
		}
	}
	back, err := Decode(b)
	must(t, err)
	if !equalValue(back, objs) {
		t.Fatalf("round trip:\n got %#v\nwant %#v\n%s", back, objs, b)
	}
	again, err := EncodeYAML(back)
	must(t, err)
	if !bytes.Equal(b, again) {
		t.Fatalf("encoding is not stable:\n%s\n%s", b, again)
	}
}
