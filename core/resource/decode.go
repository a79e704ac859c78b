package resource

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/gdbos/gdbos/core/apierr"
)

// Decode reads objects from YAML or JSON: several documents separated by "---", a
// document may also be a list of objects. YAML follows the 1.2 core schema, so only
// true and false are booleans: on, off, yes, no, y and n stay strings. Decoding is
// strict: every unknown field outside spec, every duplicate key and every value of
// the wrong type is reported, as "document N: /path: problem" (N counts from 1).
// Numbers become float64, as encoding/json gives them.
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
	v, ok := parseDocument(doc, &errs)
	if !ok {
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

// maxAliasValues bounds what aliases may add to a document: as many values as the
// document holds itself, or maxAliasValues if that is more. An alias bomb ("billion
// laughs") thus fails at once instead of filling memory.
const maxAliasValues = 100_000

// parseDocument parses one YAML document into the types encoding/json produces.
func parseDocument(doc []byte, errs *apierr.FieldList) (any, bool) {
	dec := yaml.NewDecoder(bytes.NewReader(doc))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, true
		}
		errs.Add("", "not YAML or JSON: %v", err)
		return nil, false
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		errs.Add("", `not YAML or JSON: a second document follows "..."; separate documents with "---"`)
		return nil, false
	case !errors.Is(err, io.EOF):
		errs.Add("", "not YAML or JSON: %v", err)
		return nil, false
	}
	if len(root.Content) == 0 {
		return nil, true
	}
	size := countNodes(&root)
	c := converter{errs: errs, left: size + max(size, maxAliasValues), active: map[*yaml.Node]bool{}}
	n := len(*errs)
	v := c.value(root.Content[0], "")
	return v, len(*errs) == n
}

func countNodes(n *yaml.Node) int {
	total := 1
	for _, c := range n.Content {
		total += countNodes(c)
	}
	return total
}

// converter turns a yaml.Node tree into map[string]any, []any, float64, string,
// bool and nil, reporting every problem with its JSON pointer.
type converter struct {
	errs *apierr.FieldList
	// left is how many more values may be produced; aliases spend it too.
	left    int
	stopped bool
	// active holds the collections being converted, to refuse an alias to a
	// value that contains it.
	active map[*yaml.Node]bool
}

func (c *converter) value(n *yaml.Node, path string) any {
	if c.stopped {
		return nil
	}
	if c.left--; c.left < 0 {
		c.stopped = true
		c.errs.Add(pathOrRoot(path), "aliases expand to too many values")
		return nil
	}
	switch n.Kind {
	case yaml.AliasNode:
		return c.value(n.Alias, path)
	case yaml.ScalarNode:
		return c.scalar(n, path)
	case yaml.MappingNode, yaml.SequenceNode:
		if c.active[n] {
			c.errs.Add(pathOrRoot(path), "alias *%s refers to a value that contains it", n.Anchor)
			return nil
		}
		c.active[n] = true
		defer delete(c.active, n)
		if n.Kind == yaml.MappingNode {
			if tag := n.ShortTag(); tag != "!!map" {
				c.errs.Add(pathOrRoot(path), "unsupported tag %s", tag)
				return nil
			}
			return c.mapping(n, path)
		}
		if tag := n.ShortTag(); tag != "!!seq" {
			c.errs.Add(pathOrRoot(path), "unsupported tag %s", tag)
			return nil
		}
		out := make([]any, len(n.Content))
		for i, e := range n.Content {
			out[i] = c.value(e, fmt.Sprintf("%s/%d", path, i))
		}
		return out
	}
	c.errs.Add(pathOrRoot(path), "unsupported YAML node")
	return nil
}

// ambiguousInt matches integers with a leading zero: octal in YAML 1.1 and for
// go.yaml.in/yaml/v3, decimal in YAML 1.2. Either reading may corrupt a code such as
// 012345, so they are refused.
var ambiguousInt = regexp.MustCompile(`^[-+]?0[0-9_]+$`)

func (c *converter) scalar(n *yaml.Node, path string) any {
	switch tag := n.ShortTag(); tag {
	case "!!str", "!!timestamp", "!!merge":
		return c.text(n.Value, path)
	case "!!null":
		return nil
	case "!!bool", "!!int", "!!float", "!!binary":
		if tag == "!!int" && n.Style&yaml.TaggedStyle == 0 && ambiguousInt.MatchString(n.Value) {
			c.errs.Add(pathOrRoot(path), "%s is ambiguous: quote it to keep it as a string, or drop the leading zeros", n.Value)
			return nil
		}
		var v any
		if err := n.Decode(&v); err != nil {
			c.errs.Add(pathOrRoot(path), "%s", strings.TrimPrefix(err.Error(), "yaml: "))
			return nil
		}
		switch x := v.(type) {
		case int:
			return float64(x)
		case int64:
			return float64(x)
		case uint64:
			return float64(x)
		case float64:
			if math.IsInf(x, 0) || math.IsNaN(x) {
				c.errs.Add(pathOrRoot(path), "must be a finite number")
				return nil
			}
			return x
		case bool:
			return x
		case string:
			return c.text(x, path)
		}
		c.errs.Add(pathOrRoot(path), "unsupported value %s", n.Value)
		return nil
	default:
		c.errs.Add(pathOrRoot(path), "unsupported tag %s", tag)
		return nil
	}
}

// text refuses strings that are not UTF-8 ("\xff" escapes, !!binary): encoding/json
// would silently replace their bytes when the object is stored.
func (c *converter) text(s, path string) any {
	if !utf8.ValidString(s) {
		c.errs.Add(pathOrRoot(path), "must be valid UTF-8 text")
		return nil
	}
	return s
}

func (c *converter) mapping(n *yaml.Node, path string) map[string]any {
	out := make(map[string]any, len(n.Content)/2)
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		if kn.Kind == yaml.ScalarNode && kn.ShortTag() == "!!merge" {
			merges = append(merges, vn)
			continue
		}
		k, ok := c.key(kn, path)
		if !ok {
			continue
		}
		p := joinPointer(path, k)
		if _, dup := out[k]; dup {
			c.errs.Add(p, "duplicate key")
			continue
		}
		out[k] = c.value(vn, p)
	}
	// Merge keys ("<<: *defaults") fill in what the mapping does not set itself;
	// among several merged mappings the first wins.
	for _, m := range merges {
		p := joinPointer(path, "<<")
		v := c.value(m, p)
		srcs, isList := v.([]any)
		if !isList {
			srcs = []any{v}
		}
		for _, src := range srcs {
			sm, ok := src.(map[string]any)
			if !ok {
				if !c.stopped {
					c.errs.Add(p, "must be a mapping or a list of mappings")
				}
				break
			}
			for k, e := range sm {
				if _, set := out[k]; !set {
					out[k] = e
				}
			}
		}
	}
	return out
}

// key returns the text of a scalar key exactly as written: "on" stays "on" and
// 0123 stays "0123". Null and collection keys are refused.
func (c *converter) key(n *yaml.Node, path string) (string, bool) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind != yaml.ScalarNode {
		what := "list"
		if n.Kind == yaml.MappingNode {
			what = "mapping"
		}
		c.errs.Add(pathOrRoot(path), "keys must be strings, not a %s", what)
		return "", false
	}
	switch tag := n.ShortTag(); tag {
	case "!!str", "!!int", "!!float", "!!bool", "!!timestamp":
		if !utf8.ValidString(n.Value) {
			c.errs.Add(pathOrRoot(path), "keys must be valid UTF-8")
			return "", false
		}
		return n.Value, true
	case "!!null":
		c.errs.Add(pathOrRoot(path), "keys must be strings, not null (quote %q to use it as a key)", n.Value)
		return "", false
	default:
		c.errs.Add(pathOrRoot(path), "keys must be strings, not %s", tag)
		return "", false
	}
}

// EncodeYAML writes objects as a multi-document YAML stream that Decode reads back
// to the same objects. Strings that YAML 1.1 or 1.2 would read as something else
// ("no", "on", "0123", "1e3", "null", "~") are quoted.
func EncodeYAML(objs []Object) ([]byte, error) {
	var buf bytes.Buffer
	for i, o := range objs {
		if i > 0 {
			buf.WriteString("---\n")
		}
		if err := encodeObject(&buf, o); err != nil {
			return nil, fmt.Errorf("resource: encode %s %s/%s: %w", o.Kind, o.Metadata.Tenant, o.Metadata.Name, err)
		}
	}
	return buf.Bytes(), nil
}

func encodeObject(buf *bytes.Buffer, o Object) error {
	b, err := json.Marshal(o)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	enc := yaml.NewEncoder(buf)
	enc.SetIndent(2)
	enc.CompactSeqIndent()
	if err := enc.Encode(yamlNode(v)); err != nil {
		return err
	}
	return enc.Close()
}

// yamlNode builds the YAML for a JSON value (numbers as json.Number). Keys are sorted
// bytewise, as encoding/json sorts them: the encoder's own order for maps is not a
// total order, so the same object could come out in two ways. Numbers keep the text
// encoding/json wrote, so 123456789 stays 123456789 rather than 1.23456789e+08.
func yamlNode(v any) *yaml.Node {
	switch c := v.(type) {
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, k := range sortedKeys(c) {
			n.Content = append(n.Content, stringNode(k), yamlNode(c[k]))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, e := range c {
			n.Content = append(n.Content, yamlNode(e))
		}
		return n
	case string:
		return stringNode(c)
	case json.Number:
		return &yaml.Node{Kind: yaml.ScalarNode, Value: c.String()}
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(c)}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
}

// yaml11Special matches plain strings that YAML 1.1 reads as booleans or base-60
// numbers; they are quoted so that older readers see strings too. Strings YAML 1.2
// would read as something else are quoted by the encoder itself.
var yaml11Special = regexp.MustCompile(`^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)$`)

func stringNode(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if yaml11Special.MatchString(s) {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}
