package standard

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gdbos/gdbos/core/apierr"
)

// The kinds of the resources this package reads.
const (
	KindDataElement = "DataElement"
	KindCodeTable   = "CodeTable"
)

// Catalog is the data standards GDBOS ships: code tables and data elements read from
// embedded files, in effect at every tenant without a resource. A tenant's resource
// of the same kind and name is layered over the shipped spec, as a tenant's layer is
// over its parent's (objects merge key by key, anything else replaces).
type Catalog struct {
	tables   map[string]map[string]any
	elements map[string]map[string]any
	compiled Tables
}

// Document is one resource read from a YAML file.
type Document struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Tenant string            `json:"tenant,omitempty"`
		Name   string            `json:"name"`
		Labels map[string]string `json:"labels,omitempty"`
	} `json:"metadata"`
	Spec  map[string]any `json:"spec"`
	Locks []string       `json:"locks,omitempty"`
}

// LoadCatalog reads codetables/*.yaml, codetables/divisions-*.csv (code, name, level,
// parent: the rows of the divisions table) and dataelements/*.yaml from fsys, checks
// every table and compiles every element against the shipped tables.
func LoadCatalog(fsys fs.FS) (*Catalog, error) {
	c := &Catalog{tables: map[string]map[string]any{}, elements: map[string]map[string]any{}, compiled: Tables{}}
	for _, dir := range []string{"codetables", "dataelements"} {
		files, err := fs.Glob(fsys, dir+"/*.yaml")
		if err != nil {
			return nil, fmt.Errorf("standard: %w", err)
		}
		for _, f := range files {
			data, err := fs.ReadFile(fsys, f)
			if err != nil {
				return nil, fmt.Errorf("standard: %w", err)
			}
			docs, err := ParseDocuments(data)
			if err != nil {
				return nil, fmt.Errorf("standard: %s: %w", f, err)
			}
			for _, d := range docs {
				into := c.tables
				if d.Kind == KindDataElement {
					into = c.elements
				} else if d.Kind != KindCodeTable {
					return nil, fmt.Errorf("standard: %s: kind %q is neither CodeTable nor DataElement", f, d.Kind)
				}
				if _, dup := into[d.Metadata.Name]; dup || d.Metadata.Name == "" {
					return nil, fmt.Errorf("standard: %s: %s %q is unnamed or defined twice", f, d.Kind, d.Metadata.Name)
				}
				into[d.Metadata.Name] = d.Spec
			}
		}
	}
	if err := c.loadDivisions(fsys); err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(c.tables)) {
		t, err := BuildCodeTable(name, c.tables[name])
		if err != nil {
			return nil, fmt.Errorf("standard: shipped code table %s: %w", name, err)
		}
		c.compiled[name] = t
	}
	for _, name := range slices.Sorted(maps.Keys(c.elements)) {
		if _, err := CompileSpec(name, c.elements[name], c.compiled); err != nil {
			return nil, fmt.Errorf("standard: shipped data element %s: %w", name, err)
		}
	}
	return c, nil
}

// loadDivisions adds the rows of codetables/divisions-*.csv to the divisions table.
func (c *Catalog) loadDivisions(fsys fs.FS) error {
	files, _ := fs.Glob(fsys, "codetables/divisions-*.csv")
	if len(files) == 0 {
		return nil
	}
	spec := c.tables[DivisionsTable]
	if spec == nil {
		spec = map[string]any{"title": "行政区划代码", "standard": "GB/T 2260"}
		c.tables[DivisionsTable] = spec
	}
	codes, _ := spec["codes"].(map[string]any)
	if codes == nil {
		codes = map[string]any{}
		spec["codes"] = codes
	}
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return fmt.Errorf("standard: %w", err)
		}
		r := csv.NewReader(bytes.NewReader(data))
		head, err := r.Read()
		if err != nil || strings.Join(head, ",") != "code,name,level,parent" {
			return fmt.Errorf("standard: %s: the header must be code,name,level,parent", path.Base(f))
		}
		for {
			row, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return fmt.Errorf("standard: %s: %w", path.Base(f), err)
			}
			entry := map[string]any{"name": row[1], "level": row[2]}
			if row[3] != "" {
				entry["parent"] = row[3]
			}
			codes[row[0]] = entry
		}
	}
	return nil
}

// TableNames lists the shipped code tables.
func (c *Catalog) TableNames() []string { return slices.Sorted(maps.Keys(c.tables)) }

// ElementNames lists the shipped data elements.
func (c *Catalog) ElementNames() []string { return slices.Sorted(maps.Keys(c.elements)) }

// TableSpec returns a copy of a shipped table's spec, or nil.
func (c *Catalog) TableSpec(name string) map[string]any { return deepCopy(c.tables[name]) }

// ElementSpec returns a copy of a shipped element's spec, or nil.
func (c *Catalog) ElementSpec(name string) map[string]any { return deepCopy(c.elements[name]) }

// CodeTable returns a shipped table; Catalog is the CodeLookup of shipped standards.
func (c *Catalog) CodeTable(name string) (*CodeTable, error) { return c.compiled.CodeTable(name) }

// Element compiles a shipped element against the shipped tables.
func (c *Catalog) Element(name string) (*Element, error) {
	spec, ok := c.elements[name]
	if !ok {
		return nil, apierr.New(apierr.NotFound, "there is no data element %s", name)
	}
	return CompileSpec(name, spec, c.compiled)
}

// Layer returns base with over laid on it: objects merge key by key, anything else
// in over replaces. Neither argument is changed.
func Layer(base, over map[string]any) map[string]any {
	out := deepCopy(base)
	if out == nil {
		out = map[string]any{}
	}
	for k, v := range over {
		if vm, ok := v.(map[string]any); ok {
			if bm, ok := out[k].(map[string]any); ok {
				out[k] = Layer(bm, vm)
				continue
			}
		}
		out[k] = deepCopyValue(v)
	}
	return out
}

// CompileSpec decodes a resource's spec strictly and compiles it.
func CompileSpec(name string, spec map[string]any, tables CodeLookup) (*Element, error) {
	var s DataElementSpec
	if err := decodeStrict(spec, &s); err != nil {
		return nil, apierr.Invalid("invalid data element "+name, []apierr.FieldError{*err})
	}
	return Compile(name, s, tables)
}

// BuildCodeTable decodes a resource's spec strictly and builds the table.
func BuildCodeTable(name string, spec map[string]any) (*CodeTable, error) {
	var s CodeTableSpec
	if err := decodeStrict(spec, &s); err != nil {
		return nil, apierr.Invalid("invalid code table "+name, []apierr.FieldError{*err})
	}
	return NewCodeTable(name, s)
}

// ParseCodeTable reads one CodeTable resource from YAML and builds it.
func ParseCodeTable(data []byte) (*CodeTable, error) {
	docs, err := ParseDocuments(data)
	if err != nil {
		return nil, err
	}
	if len(docs) != 1 || docs[0].Kind != KindCodeTable {
		return nil, apierr.New(apierr.BadRequest, "expected one CodeTable resource")
	}
	return BuildCodeTable(docs[0].Metadata.Name, docs[0].Spec)
}

// ParseDocuments reads the resources of a YAML stream ("---" between documents).
func ParseDocuments(data []byte) ([]Document, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []Document
	for i := 1; ; i++ {
		var raw any
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, apierr.Wrap(apierr.BadRequest, err, "document %d is not YAML: %v", i, err)
		}
		if raw == nil {
			continue
		}
		var d Document
		if ferr := decodeStrict(stringKeys(raw), &d); ferr != nil {
			return nil, apierr.Invalid(fmt.Sprintf("document %d is not a resource", i), []apierr.FieldError{*ferr})
		}
		out = append(out, d)
	}
}

// decodeStrict decodes v (JSON-like) into out, refusing unknown fields; the error
// names the field's path under /spec (or the document for a Document).
func decodeStrict(v any, out any) *apierr.FieldError {
	prefix := "/spec"
	if _, ok := out.(*Document); ok {
		prefix = ""
	}
	data, err := json.Marshal(v)
	if err != nil {
		return &apierr.FieldError{Path: prefix, Message: "not JSON-like: " + err.Error()}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return &apierr.FieldError{Path: prefix + "/" + strings.ReplaceAll(te.Field, ".", "/"), Message: fmt.Sprintf("expected %s, not %s", te.Type, te.Value)}
		}
		msg := strings.TrimPrefix(err.Error(), "json: ")
		if f, ok := strings.CutPrefix(msg, "unknown field "); ok {
			return &apierr.FieldError{Path: prefix + "/" + strings.Trim(f, `"`), Message: "unknown field"}
		}
		return &apierr.FieldError{Path: prefix, Message: msg}
	}
	return nil
}

// stringKeys turns YAML mappings with non-string keys into map[string]any.
func stringKeys(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = stringKeys(e)
		}
		return v
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[fmt.Sprint(k)] = stringKeys(e)
		}
		return out
	case []any:
		for i, e := range v {
			v[i] = stringKeys(e)
		}
	}
	return v
}

func deepCopy(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = deepCopyValue(v)
	}
	return out
}

func deepCopyValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return deepCopy(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = deepCopyValue(e)
		}
		return out
	}
	return v
}
