package resource

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/gdbos/gdbos/core/apierr"
)

// Decode reads objects from YAML or JSON: several documents separated by "---", a
// document may also be a list of objects. Decoding is strict: every unknown field
// outside spec and every value of the wrong type is reported, as
// "document N: /path: problem" (N counts from 1).
func Decode(data []byte) ([]Object, error) {
	var objs []Object
	var errs apierr.FieldList
	for i, doc := range splitDocuments(data) {
		prefix := fmt.Sprintf("document %d: ", i+1)
		got, problems := decodeDocument(doc)
		for _, p := range problems {
			errs.Add(prefix+p.Path, "%s", p.Message)
		}
		objs = append(objs, got...)
	}
	if err := errs.Err("invalid resource file"); err != nil {
		return nil, err
	}
	return objs, nil
}

// splitDocuments cuts a YAML stream at "---" lines. A "---" at the start of a line
// always starts a document in YAML (block scalars are indented), so no parser is
// needed; text after "--- " stays with the new document.
func splitDocuments(data []byte) [][]byte {
	var docs [][]byte
	var cur bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), len(data)+1)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := cutMarker(line); ok {
			docs = append(docs, bytes.Clone(cur.Bytes()))
			cur.Reset()
			line = rest
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
	}
	docs = append(docs, cur.Bytes())
	if len(docs) > 1 && len(bytes.TrimSpace(docs[0])) == 0 {
		docs = docs[1:]
	}
	return docs
}

func cutMarker(line string) (string, bool) {
	if !strings.HasPrefix(line, "---") {
		return "", false
	}
	rest := line[3:]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return "", false
	}
	return strings.TrimSpace(rest), true
}

func decodeDocument(doc []byte) ([]Object, apierr.FieldList) {
	var errs apierr.FieldList
	if isBlank(doc) {
		return nil, nil
	}
	js, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		errs.Add("", "not YAML or JSON: %v", err)
		return nil, errs
	}
	var v any
	if err := json.Unmarshal(js, &v); err != nil {
		errs.Add("", "not YAML or JSON: %v", err)
		return nil, errs
	}
	if list, ok := v.([]any); ok {
		var objs []Object
		for i, item := range list {
			if o, ok := decodeObject(item, fmt.Sprintf("/%d", i), &errs); ok {
				objs = append(objs, o)
			}
		}
		return objs, errs
	}
	if v == nil {
		return nil, nil
	}
	o, ok := decodeObject(v, "", &errs)
	if !ok {
		return nil, errs
	}
	return []Object{o}, errs
}

// isBlank reports a document with nothing but comments and space.
func isBlank(doc []byte) bool {
	for line := range strings.Lines(string(doc)) {
		t := strings.TrimSpace(line)
		if t != "" && !strings.HasPrefix(t, "#") && t != "..." {
			return false
		}
	}
	return true
}

func decodeObject(v any, path string, errs *apierr.FieldList) (Object, bool) {
	n := len(*errs)
	m, ok := v.(map[string]any)
	if !ok {
		errs.Add(pathOrRoot(path), "must be an object")
		return Object{}, false
	}
	var o Object
	for _, k := range sortedKeys(m) {
		p := joinPointer(path, k)
		switch k {
		case "apiVersion":
			o.APIVersion = str(m[k], p, errs)
		case "kind":
			o.Kind = str(m[k], p, errs)
		case "metadata":
			o.Metadata = decodeMetadata(m[k], p, errs)
		case "spec":
			if sp, ok := m[k].(map[string]any); ok || m[k] == nil {
				o.Spec = sp
			} else {
				errs.Add(p, "must be an object")
			}
		case "locks":
			o.Locks = strList(m[k], p, errs)
		default:
			errs.Add(p, "unknown field")
		}
	}
	if o.Spec == nil {
		o.Spec = map[string]any{}
	}
	return o, len(*errs) == n
}

func decodeMetadata(v any, path string, errs *apierr.FieldList) Metadata {
	var md Metadata
	m, ok := v.(map[string]any)
	if !ok {
		errs.Add(path, "must be an object")
		return md
	}
	for _, k := range sortedKeys(m) {
		p := joinPointer(path, k)
		switch k {
		case "tenant":
			md.Tenant = str(m[k], p, errs)
		case "name":
			md.Name = str(m[k], p, errs)
		case "labels":
			md.Labels = strMap(m[k], p, errs)
		case "version":
			f, ok := m[k].(float64)
			if !ok || f != float64(int(f)) || f < 0 {
				errs.Add(p, "must be a whole number")
			}
			md.Version = int(f)
		case "updatedAt":
			ts, _ := m[k].(string)
			t, err := time.Parse(time.RFC3339Nano, ts)
			if err != nil {
				errs.Add(p, "must be a time like 2006-01-02T15:04:05Z")
			}
			md.UpdatedAt = t.UTC()
		case "updatedBy":
			md.UpdatedBy = str(m[k], p, errs)
		default:
			errs.Add(p, "unknown field")
		}
	}
	return md
}

func pathOrRoot(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

func str(v any, path string, errs *apierr.FieldList) string {
	s, ok := v.(string)
	if !ok {
		errs.Add(path, "must be a string")
	}
	return s
}

func strList(v any, path string, errs *apierr.FieldList) []string {
	list, ok := v.([]any)
	if !ok {
		errs.Add(path, "must be a list of strings")
		return nil
	}
	out := make([]string, 0, len(list))
	for i, e := range list {
		out = append(out, str(e, fmt.Sprintf("%s/%d", path, i), errs))
	}
	return out
}

func strMap(v any, path string, errs *apierr.FieldList) map[string]string {
	m, ok := v.(map[string]any)
	if !ok {
		errs.Add(path, "must be a map of strings")
		return nil
	}
	out := make(map[string]string, len(m))
	for _, k := range sortedKeys(m) {
		out[k] = str(m[k], joinPointer(path, k), errs)
	}
	return out
}

// EncodeYAML writes objects as a multi-document YAML stream that Decode reads back
// to the same objects.
func EncodeYAML(objs []Object) ([]byte, error) {
	var buf bytes.Buffer
	for i, o := range objs {
		b, err := yaml.Marshal(o)
		if err != nil {
			return nil, fmt.Errorf("resource: encode %s %s/%s: %w", o.Kind, o.Metadata.Tenant, o.Metadata.Name, err)
		}
		if i > 0 {
			buf.WriteString("---\n")
		}
		buf.Write(b)
	}
	return buf.Bytes(), nil
}
