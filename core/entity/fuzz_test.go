package entity

import (
	"bytes"
	"encoding/json"
	"io"
	"slices"
	"testing"
)

// fuzzTable is an entity with one field of every type, as rows read for import see it.
var fuzzTable = Table{Dialect: SQLite, Name: "thing", Table: TableName("thing"), Fields: []Field{
	{FieldSpec: FieldSpec{Name: "code", Type: TypeString, Length: 8, Required: true, Unique: true, Pattern: "^[A-Z0-9]+$"}, Column: "f_code"},
	{FieldSpec: FieldSpec{Name: "note", Type: TypeText}, Column: "f_note"},
	{FieldSpec: FieldSpec{Name: "count", Type: TypeInteger, Min: ptr(0)}, Column: "f_count"},
	{FieldSpec: FieldSpec{Name: "amount", Type: TypeDecimal}, Column: "f_amount"},
	{FieldSpec: FieldSpec{Name: "ok", Type: TypeBoolean}, Column: "f_ok"},
	{FieldSpec: FieldSpec{Name: "day", Type: TypeDate}, Column: "f_day"},
	{FieldSpec: FieldSpec{Name: "at", Type: TypeDateTime}, Column: "f_at"},
	{FieldSpec: FieldSpec{Name: "kind", Type: TypeString, Enum: []string{"a", "b"}}, Column: "f_kind"},
}}

func ptr(f float64) *float64 { return &f }

// FuzzImportRows feeds arbitrary bytes to the import readers in every format and
// checks every row they yield: no input may panic them, and each row is either
// refused with paths or becomes column values.
func FuzzImportRows(f *testing.F) {
	f.Add([]byte("code,note,count,amount,ok,day,at,kind,tenant\nA1,x,3,1.5,是,2026-02-12,2026-02-12T08:00:00Z,a,230102\n,\"\"\"\",-1,x,maybe,2026-02-30,,c,\n"), uint8(0))
	f.Add([]byte(`{"code":"A1","count":3}`+"\n"+`{"code":1,"ok":"yes"}`+"\n{"), uint8(1))
	f.Add([]byte(`[{"code":"A1","day":"2026-01-01"},{"amount":"1e400"},3]`), uint8(2))
	f.Add([]byte("\ufeffcode\n\"unterminated\n"), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		format := []string{FormatCSV, FormatNDJSON, FormatJSON}[int(which)%3]
		rows, err := fuzzTable.reader(bytes.NewReader(data), format)
		if err != nil {
			return // refused as a whole: a bad header, not a JSON array
		}
		for range 10000 {
			in, err := rows.next()
			if err == io.EOF {
				return
			}
			var perr *parseError
			if err != nil {
				if !asParseError(err, &perr) {
					t.Fatalf("a reader error that is not a row's: %v", err)
				}
				if perr.fatal {
					return
				}
				continue
			}
			delete(in, "tenant")
			vals, err := normalize(fuzzTable.Fields, in, true, "230102", nil)
			if err == nil {
				if _, err := json.Marshal(vals); err != nil {
					t.Fatalf("column values do not encode: %v", err)
				}
			}
		}
	})
}

func asParseError(err error, target **parseError) bool {
	p, ok := err.(*parseError)
	if ok {
		*target = p
	}
	return ok
}

// FuzzEntitySpec decodes arbitrary JSON as an entity schema layer and lays it out
// under a base layer, and as the base layer itself (with its versions and
// mappings): checking, evolving and building may refuse it, never panic, and every
// served version a checked spec lays out has a column or none for each field.
func FuzzEntitySpec(f *testing.F) {
	f.Add([]byte(`{"fields":[{"name":"uscc","type":"string","unique":true},{"name":"n","type":"integer","min":1,"max":0}],"indexes":[["uscc","nope"]]}`))
	f.Add([]byte(`{"fields":[{"name":"id"},{"name":"Bad","type":"money","pattern":"("}],"relations":[{"name":"x","kind":"manyToOne","entity":"thing"}]}`))
	f.Add([]byte(`{"fields":[{"name":"code","type":"text"}]}`))
	f.Add([]byte(`{"fields":[{"name":"label","type":"string"},{"name":"n","type":"decimal"},{"name":"s","type":"string","enum":["a"]}],"versions":[` +
		`{"name":"v2","served":true,"storage":true,"mapping":{"from":"v1","fields":[{"field":"label","from":"code"},{"field":"n","from":"n"},{"field":"s","value":"a"}]}},` +
		`{"name":"v1","served":true,"deprecated":true,"deprecationWarning":"use v2","fields":[{"name":"code","type":"string"},{"name":"n","type":"integer"},{"name":"old","type":"date"}]}]}`))
	f.Add([]byte(`{"fields":[{"name":"code","type":"string"}],"versions":[{"name":"v3","storage":true,"served":true,"mapping":{"from":"v2"}},` +
		`{"name":"v2","served":false,"fields":[{"name":"code","type":"text"}],"mapping":{"from":"v1","fields":[{"field":"code","from":"code"},{"field":"code","value":1}]}},` +
		`{"name":"v1","served":true,"fields":[{"name":"code","element":"uscc"}],"mapping":{"from":"v3"}},{"name":"V4","storage":true}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var spec Spec
		if json.Unmarshal(data, &spec) != nil {
			return
		}
		checked := spec.Check(nil) == nil
		base := Layer{Tenant: "230000", Path: "/230000/", Spec: Spec{Fields: []FieldSpec{{Name: "code", Type: TypeString}}}}
		layer := Layer{Tenant: "230102", Path: "/230000/230100/230102/", Spec: spec}
		_, _ = Build("thing", []Layer{layer, base}, nil)
		_ = Breaking(base.Spec, spec)
		_ = Evolve(base.Spec, spec)
		_ = Evolve(spec, base.Spec)
		lo, err := Build("thing", []Layer{{Tenant: "230000", Path: "/230000/", Spec: spec}}, nil)
		if !checked || err != nil {
			return
		}
		if len(lo.Versions) == 0 || !lo.Versions[0].Storage || lo.Versions[0].Name != spec.StorageVersion() {
			t.Fatalf("a checked spec lays out without its storage version first: %+v", lo.Versions)
		}
		for _, v := range lo.Versions[1:] {
			if !v.Served {
				continue
			}
			served := slices.IndexFunc(spec.Versions, func(s VersionSpec) bool { return s.Name == v.Name })
			if len(v.Fields) != len(spec.Versions[served].Fields) {
				t.Fatalf("version %s lays out %d fields of %d", v.Name, len(v.Fields), len(spec.Versions[served].Fields))
			}
		}
	})
}

// FuzzFilter turns arbitrary JSON into a list filter: it is refused with paths or
// becomes SQL whose placeholders match its arguments, never a panic, and no value
// reaches the SQL text.
func FuzzFilter(f *testing.F) {
	f.Add([]byte(`{"or":[{"count":{"gte":10}},{"code":{"startsWith":"A%_"}}],"not":{"kind":{"in":["a","b"]}}}`))
	f.Add([]byte(`{"and":[],"day":{"lt":"2026-02-30"},"ok":{"isNull":"yes"},"nosuch":{"eq":1}}`))
	f.Add([]byte(`{"amount":{"eq":"1e400","near":1},"at":{"gt":"x'; DROP TABLE users; --"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var m map[string]any
		if json.Unmarshal(data, &m) != nil {
			return
		}
		b := newBuilder(fuzzTable.Dialect)
		if err := fuzzTable.filter(b, m, "/filter", nil, nil); err != nil {
			return
		}
		sql := b.String()
		if n := bytes.Count([]byte(sql), []byte("?")); n != len(b.args) {
			t.Fatalf("%d placeholders for %d arguments: %s", n, len(b.args), sql)
		}
		if bytes.Contains([]byte(sql), []byte("DROP")) {
			t.Fatalf("a value reached the SQL text: %s", sql)
		}
	})
}
