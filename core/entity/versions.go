package entity

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/gdbos/gdbos/core/apierr"
)

// DefaultVersion is the version of a spec that lists none: its one storage version.
const DefaultVersion = "v1"

// VersionSpec is one version of an entity schema, as a CustomResourceDefinition lists
// its versions. The storage version's fields are Spec.Fields; an older version lists
// its own. Records are stored once, in the storage version's shape; an older served
// version reads and writes them through the columns its fields map to.
type VersionSpec struct {
	Name               string `json:"name"`
	Served             bool   `json:"served"`
	Storage            bool   `json:"storage"`
	Deprecated         bool   `json:"deprecated,omitempty"`
	DeprecationWarning string `json:"deprecationWarning,omitempty"`
	// Fields are an older version's fields (the defining layer's fields only: local
	// fields of descendants are the same in every version).
	Fields []FieldSpec `json:"fields,omitempty"`
	// Mapping links the version to the one before it.
	Mapping *Mapping `json:"mapping,omitempty"`
}

// Mapping says which version a version follows and where its new and changed
// fields take their values from when it becomes the storage version.
type Mapping struct {
	From   string         `json:"from"`
	Fields []FieldMapping `json:"fields,omitempty"`
}

// FieldMapping fills a field from a field of the version before (renamed, copied
// or converted) or with a constant.
type FieldMapping struct {
	Field string `json:"field"`
	From  string `json:"from,omitempty"`
	Value any    `json:"value,omitempty"`
}

// versionName bounds names so that a moved-aside column, f_FIELD__VERSION, stays
// within PostgreSQL's 63 characters.
var versionName = regexp.MustCompile(`^v[1-9][0-9]{0,3}((alpha|beta)[1-9][0-9]{0,3})?$`)

// conversions are the type changes a mapping may make, each done in SQL the same
// way on both databases (then every row is checked against the new field). Text
// to numbers is left out: SQLite casts "abc" to 0 where PostgreSQL fails.
var conversions = map[[2]string]bool{
	{TypeInteger, TypeDecimal}: true, {TypeInteger, TypeString}: true, {TypeInteger, TypeText}: true,
	{TypeString, TypeText}: true, {TypeText, TypeString}: true,
	{TypeString, TypeDate}: true, {TypeText, TypeDate}: true,
	{TypeDate, TypeString}: true, {TypeDate, TypeText}: true, {TypeDate, TypeDateTime}: true,
	{TypeDateTime, TypeString}: true, {TypeDateTime, TypeText}: true,
}

// Convertible reports whether a mapping may fill a field of type to from one of
// type from.
func Convertible(from, to string) bool { return from == to || conversions[[2]string{from, to}] }

// StorageVersion is the name of the version the table stores.
func (s Spec) StorageVersion() string {
	for _, v := range s.Versions {
		if v.Storage {
			return v.Name
		}
	}
	return DefaultVersion
}

// storageSpec is the storage version's entry (a zero one, named v1, without versions).
func (s Spec) storageSpec() VersionSpec {
	for _, v := range s.Versions {
		if v.Storage {
			return v
		}
	}
	return VersionSpec{Name: DefaultVersion, Served: true, Storage: true}
}

// versionFields are the fields of the named version and whether it is listed.
func (s Spec) versionFields(name string) ([]FieldSpec, bool) {
	if name == s.StorageVersion() {
		return s.Fields, true
	}
	for _, v := range s.Versions {
		if v.Name == name {
			return v.Fields, true
		}
	}
	return nil, false
}

// fieldType resolves a field's type: its own, its data element's, or string.
type fieldType func(f FieldSpec) string

func resolver(element func(code string) (string, bool)) fieldType {
	return func(f FieldSpec) string {
		if f.Type != "" {
			return f.Type
		}
		if element != nil {
			if t, ok := element(f.Element); ok && t != "" {
				return t
			}
		}
		return TypeString
	}
}

func findField(fields []FieldSpec, name string) (FieldSpec, bool) {
	i := slices.IndexFunc(fields, func(f FieldSpec) bool { return f.Name == name })
	if i < 0 {
		return FieldSpec{}, false
	}
	return fields[i], true
}

// checkVersions reports what is wrong with the versions list: names, exactly one
// served storage version, older versions' fields, mappings, and that every served
// version reaches the storage version through mappings.
func (s Spec) checkVersions(l *apierr.FieldList, element func(code string) (string, bool)) {
	typeOf := resolver(element)
	if len(s.Versions) == 0 {
		return
	}
	seen := map[string]bool{}
	storage := 0
	for i, v := range s.Versions {
		p := fmt.Sprintf("/spec/versions/%d", i)
		switch {
		case !versionName.MatchString(v.Name):
			l.Add(p+"/name", "must be like v1, v2beta1 or v3alpha2 (at most 4 digits each)")
		case seen[v.Name]:
			l.Add(p+"/name", "%q is listed twice", v.Name)
		}
		seen[v.Name] = true
		if v.Storage {
			storage++
			if storage > 1 {
				l.Add(p+"/storage", "only one version is the storage version")
			}
			if !v.Served {
				l.Add(p+"/served", "the storage version must be served")
			}
			if len(v.Fields) > 0 {
				l.Add(p+"/fields", "the storage version's fields are /spec/fields")
			}
		} else {
			checkFields(l, p+"/fields", v.Fields, element)
			if v.Served && len(v.Fields) == 0 {
				l.Add(p+"/fields", "a served version that is not the storage version lists its fields")
			}
		}
		if v.DeprecationWarning != "" && !v.Deprecated {
			l.Add(p+"/deprecationWarning", "only a deprecated version has a deprecation warning")
		}
	}
	if storage == 0 {
		l.Add("/spec/versions", "exactly one version must be the storage version")
	}
	for i, v := range s.Versions {
		s.checkMapping(l, i, v, seen, typeOf)
	}
	reached := s.chain()
	for i, v := range s.Versions {
		if v.Served && !slices.Contains(reached, v.Name) {
			l.Add(fmt.Sprintf("/spec/versions/%d", i), "version %s is served but does not reach the storage version %s through mapping.from", v.Name, s.StorageVersion())
		}
	}
}

// checkFields checks the fields at path (/spec/fields, an older version's) and
// returns their names.
func checkFields(l *apierr.FieldList, path string, fields []FieldSpec, element func(code string) (string, bool)) map[string]bool {
	seen := map[string]bool{}
	for j, f := range fields {
		p := fmt.Sprintf("%s/%d", path, j)
		checkMemberName(l, p, f.Name, seen[f.Name])
		seen[f.Name] = true
		switch {
		case f.Type == "" && f.Element == "":
			l.Add(p, "give a type or a data element")
		case f.Type != "" && !slices.Contains(types, f.Type):
			l.Add(p+"/type", "must be one of %v", types)
		}
		if f.Element != "" && element != nil {
			if _, ok := element(f.Element); !ok {
				l.Add(p+"/element", "no data element %q is published here", f.Element)
			}
		}
		if f.Min != nil && f.Max != nil && *f.Min > *f.Max {
			l.Add(p+"/min", "is greater than max")
		}
		if f.Pattern != "" {
			if _, err := regexp.Compile(f.Pattern); err != nil {
				l.Add(p+"/pattern", "does not compile: %v", err)
			}
		}
	}
	return seen
}

func (s Spec) checkMapping(l *apierr.FieldList, i int, v VersionSpec, versions map[string]bool, typeOf fieldType) {
	p := fmt.Sprintf("/spec/versions/%d/mapping", i)
	if v.Mapping == nil {
		return
	}
	m := v.Mapping
	to, _ := s.versionFields(v.Name)
	from, ok := s.versionFields(m.From)
	switch {
	case m.From == v.Name:
		l.Add(p+"/from", "a version cannot follow itself")
		return
	case (!ok || !versions[m.From]) && v.Storage && versionName.MatchString(m.From):
		// The version the storage version was migrated from, retired and left out:
		// the mapping is its record (Evolve checks it against the fields it stored
		// when the storage version changes).
		return
	case !ok || !versions[m.From]:
		l.Add(p+"/from", "no version %q is listed", m.From)
		return
	}
	mapped := map[string]bool{}
	for j, e := range m.Fields {
		ep := fmt.Sprintf("%s/fields/%d", p, j)
		dst, ok := findField(to, e.Field)
		switch {
		case !ok:
			l.Add(ep+"/field", "no field %q in version %s", e.Field, v.Name)
			continue
		case mapped[e.Field]:
			l.Add(ep+"/field", "%q is mapped twice", e.Field)
		}
		mapped[e.Field] = true
		switch {
		case (e.From == "") == (e.Value == nil):
			l.Add(ep, "give either from (a field of %s) or value (a constant)", m.From)
		case e.From != "":
			src, ok := findField(from, e.From)
			if !ok {
				l.Add(ep+"/from", "no field %q in version %s", e.From, m.From)
				continue
			}
			if a, b := typeOf(src), typeOf(dst); !Convertible(a, b) {
				l.Add(ep+"/from", "cannot convert %s to %s (%s → %s); a mapping converts integer → decimal or text, text → date, date → datetime or text, datetime → text", e.From, e.Field, a, b)
			}
		default:
			f := Field{FieldSpec: dst}
			f.Type = typeOf(dst)
			if _, problems := convert(f, e.Value); len(problems) > 0 {
				l.Add(ep+"/value", "%s", strings.Join(problems, "; "))
			}
		}
	}
	for j, f := range to {
		if mapped[f.Name] {
			continue
		}
		if g, ok := findField(from, f.Name); ok && typeOf(g) != typeOf(f) {
			fp := fmt.Sprintf("/spec/versions/%d/fields/%d/type", i, j)
			if v.Storage {
				fp = fmt.Sprintf("/spec/fields/%d/type", j)
			}
			l.Add(fp, "field %q changes type from version %s (%s → %s): map it in %s/fields", f.Name, m.From, typeOf(g), typeOf(f), p)
		}
	}
}

// chain is the storage version followed by the versions it reaches through
// mapping.from, newest first.
func (s Spec) chain() []string {
	out := []string{s.StorageVersion()}
	cur := s.storageSpec()
	for cur.Mapping != nil && !slices.Contains(out, cur.Mapping.From) {
		i := slices.IndexFunc(s.Versions, func(v VersionSpec) bool { return v.Name == cur.Mapping.From })
		if i < 0 {
			break
		}
		out, cur = append(out, cur.Mapping.From), s.Versions[i]
	}
	return out
}

// SchemaVersion is a version of an entity as it is stored and served.
type SchemaVersion struct {
	Name               string
	Served, Storage    bool
	Deprecated         bool
	DeprecationWarning string
	// Fields are the defining layer's fields as the version names them, each with
	// the column it reads and writes: the storage version's own, or, for a field the
	// storage version dropped, the column kept for it; "" when the field has none
	// (its type changed since).
	Fields []Field
	// Implied are the storage version's fields this version does not show, with the
	// value a record created through it takes (the mapping's constant, or nil).
	Implied []Implied
}

// Implied is a storage field an older version does not show.
type Implied struct {
	Field Field
	Value any
}

// Warning is what a deprecated version answers with.
func (v SchemaVersion) Warning(entity, storage string) string {
	if v.DeprecationWarning != "" {
		return v.DeprecationWarning
	}
	return fmt.Sprintf("version %s of %s is deprecated; use %s", v.Name, entity, storage)
}

// bindVersions lays out the versions of the defining layer's spec: the storage
// version on its f_NAME columns, each older one on the columns its fields reach by
// following the mappings from the storage version back to it. fields are the
// storage version's laid-out fields.
func bindVersions(spec Spec, fields []Field, typeOf fieldType, tenant, path string) []SchemaVersion {
	st := spec.storageSpec()
	out := []SchemaVersion{{Name: st.Name, Served: true, Storage: true, Deprecated: st.Deprecated, DeprecationWarning: st.DeprecationWarning, Fields: fields}}
	cols := map[string]string{}
	curTypes := map[string]string{}
	for _, f := range fields {
		cols[f.Name], curTypes[f.Name] = f.Column, f.Type
	}
	values := map[string]any{}
	if st.Mapping != nil {
		for _, e := range st.Mapping.Fields {
			if e.Value != nil {
				values[e.Field] = e.Value
			}
		}
	}
	cur := st
	curFields := spec.Fields
	for _, name := range spec.chain()[1:] {
		i := slices.IndexFunc(spec.Versions, func(v VersionSpec) bool { return v.Name == name })
		v := spec.Versions[i]
		next, nextTypes := map[string]string{}, map[string]string{}
		sv := SchemaVersion{Name: v.Name, Served: v.Served, Deprecated: v.Deprecated, DeprecationWarning: v.DeprecationWarning}
		bound := map[string]bool{}
		for _, f := range v.Fields {
			f.Type = typeOf(f)
			col := stepColumn(f, curFields, cur.Mapping.Fields, cols, curTypes)
			next[f.Name], nextTypes[f.Name] = col, f.Type
			bound[col] = true
			sv.Fields = append(sv.Fields, Field{FieldSpec: f, Column: col, Tenant: tenant, Path: path})
		}
		for _, f := range fields {
			if !bound[f.Column] {
				sv.Implied = append(sv.Implied, Implied{Field: f, Value: values[f.Name]})
			}
		}
		out = append(out, sv)
		cols, curTypes, cur, curFields = next, nextTypes, v, v.Fields
		if cur.Mapping == nil {
			break
		}
	}
	for _, v := range spec.Versions {
		if !slices.ContainsFunc(out, func(s SchemaVersion) bool { return s.Name == v.Name }) {
			out = append(out, SchemaVersion{Name: v.Name, Deprecated: v.Deprecated, DeprecationWarning: v.DeprecationWarning})
		}
	}
	return out
}

// stepColumn is the column of field f of the version before cur: that of cur's
// field of the same name and type that cur does not remap, else that of the first
// cur field renamed or copied from f without conversion, else none when cur
// replaces or converts it (writes through f could not reach the converted field),
// else the column kept for it since cur dropped it.
func stepColumn(f FieldSpec, curFields []FieldSpec, mapping []FieldMapping, cols, curTypes map[string]string) string {
	remapped := slices.ContainsFunc(mapping, func(e FieldMapping) bool { return e.Field == f.Name })
	if _, ok := findField(curFields, f.Name); ok && !remapped && curTypes[f.Name] == f.Type {
		return cols[f.Name]
	}
	for _, e := range mapping {
		if e.From == f.Name && curTypes[e.Field] == f.Type {
			return cols[e.Field]
		}
	}
	converted := slices.ContainsFunc(mapping, func(e FieldMapping) bool { return e.From == f.Name })
	if _, ok := findField(curFields, f.Name); ok || remapped || converted {
		return ""
	}
	return "f_" + f.Name
}
