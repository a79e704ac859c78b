package catalog

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/resource"
)

// column is one column of an item list in CSV (or XLSX): its Chinese header (as
// lists are kept in practice), an English alias, and where the value goes.
type column struct {
	zh, en string
	item   bool // the column belongs to the basic catalog (ServiceItem)
}

// Columns are the columns of an imported or exported item list, in export order.
var columns = []column{
	{"基本编码", "code", true}, {"事项名称", "name", true}, {"事项类型", "type", true}, {"分类", "category", true},
	{"设定依据", "legalBasis", true}, {"行使层级", "tiers", true},
	{"实施主体", "bodyName", false}, {"统一社会信用代码", "creditCode", false}, {"部门", "department", false},
	{"受理条件", "conditions", false}, {"申请材料", "materials", false},
	{"法定时限", "statutoryDays", false}, {"承诺时限", "promisedDays", false}, {"办件类型", "processing", false},
	{"办理地点", "place", false}, {"办理时间", "hours", false}, {"咨询方式", "consultation", false}, {"投诉方式", "complaint", false},
	{"网办地址", "onlineURL", false}, {"到现场次数", "visits", false},
}

// RowError is one problem of one row of an imported list. Row counts from 1 for
// the first data row (the header is row 0).
type RowError struct {
	Row     int    `json:"row"`
	Column  string `json:"column,omitempty"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

// ImportReport says what an import did, or, with errors, why it wrote nothing.
type ImportReport struct {
	Rows      int        `json:"rows"`
	Items     int        `json:"items"`
	Created   int        `json:"created"`
	Updated   int        `json:"updated"`
	Unchanged int        `json:"unchanged"`
	Errors    []RowError `json:"errors"`
	DryRun    bool       `json:"dryRun"`
}

// parsedRow is one row turned into the objects it defines.
type parsedRow struct {
	row  int
	item *resource.Object
	impl resource.Object
}

const maxImportRows = 20000

var tierNames = map[string]string{"国家": "nation", "省": "province", "省级": "province", "市": "city", "市级": "city",
	"县": "county", "县级": "county", "区县": "county", "乡镇": "township", "街道": "township"}

var processingNames = map[string]string{"即办件": "immediate", "承诺件": "promised", "immediate": "immediate", "promised": "promised"}

// ParseList reads an item list in CSV (UTF-8, with or without BOM) for tenant: one
// implementation per row, and with items the basic-catalog entry too. It reports
// every problem of every row it can see without the database.
func ParseList(data []byte, tenantCode string, items bool) ([]parsedRow, []RowError) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, []RowError{{Row: 0, Message: "no header row: " + csvErr(err)}}
	}
	index := map[string]int{}
	var errs []RowError
	for i, h := range header {
		h = strings.TrimSpace(h)
		found := false
		for _, c := range columns {
			if h == c.zh || strings.EqualFold(h, c.en) {
				if _, dup := index[c.en]; dup {
					errs = append(errs, RowError{Row: 0, Column: h, Message: "column given twice"})
				}
				index[c.en], found = i, true
			}
		}
		if !found && h != "" {
			errs = append(errs, RowError{Row: 0, Column: h, Message: "unknown column"})
		}
	}
	for _, need := range []string{"code", "bodyName", "creditCode"} {
		if _, ok := index[need]; !ok {
			errs = append(errs, RowError{Row: 0, Column: zhOf(need), Message: "required column is missing"})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	var out []parsedRow
	for n := 1; ; n++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			errs = append(errs, RowError{Row: n, Message: csvErr(err)})
			break
		}
		if n > maxImportRows {
			errs = append(errs, RowError{Row: n, Message: fmt.Sprintf("at most %d rows per import", maxImportRows)})
			break
		}
		if isBlankRecord(rec) {
			continue
		}
		p, rowErrs := parseRow(n, rec, index, tenantCode, items)
		errs = append(errs, rowErrs...)
		if len(rowErrs) == 0 {
			out = append(out, p)
		}
	}
	return out, errs
}

func csvErr(err error) string {
	var pe *csv.ParseError
	if e, ok := err.(*csv.ParseError); ok {
		pe = e
		return fmt.Sprintf("line %d: %v", pe.Line, pe.Err)
	}
	return err.Error()
}

func isBlankRecord(rec []string) bool {
	return !slices.ContainsFunc(rec, func(s string) bool { return strings.TrimSpace(s) != "" })
}

func zhOf(en string) string {
	for _, c := range columns {
		if c.en == en {
			return c.zh
		}
	}
	return en
}

var listSep = regexp.MustCompile(`[;；\n]+`)

func splitList(s string) []any {
	var out []any
	for _, p := range listSep.Split(s, -1) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func parseRow(n int, rec []string, index map[string]int, tenantCode string, items bool) (parsedRow, []RowError) {
	get := func(en string) string {
		i, ok := index[en]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	var errs []RowError
	bad := func(en, format string, args ...any) {
		errs = append(errs, RowError{Row: n, Column: zhOf(en), Message: fmt.Sprintf(format, args...)})
	}
	code := get("code")
	if err := CheckBasicCode(code); err != nil {
		bad("code", "%s", err.Error())
	}
	spec := map[string]any{}
	body := map[string]any{"name": get("bodyName"), "creditCode": get("creditCode")}
	if d := get("department"); d != "" {
		body["department"] = d
	}
	spec["implementingBody"] = body
	for _, en := range []string{"conditions", "consultation", "complaint"} {
		if v := get(en); v != "" {
			spec[en] = splitList(v)
		}
	}
	if v := get("materials"); v != "" {
		var ms []any
		for _, m := range splitList(v) {
			// "名称|证照类型" or "名称|标准:数据元"; a bare name is a 证明材料.
			name, ref, _ := strings.Cut(m.(string), "|")
			mat := map[string]any{"name": strings.TrimSpace(name)}
			ref = strings.TrimSpace(ref)
			switch {
			case strings.HasPrefix(ref, "标准:"):
				mat["standard"] = strings.TrimSpace(strings.TrimPrefix(ref, "标准:"))
			case ref == "":
				mat["documentType"] = "证明材料"
			default:
				mat["documentType"] = ref
			}
			ms = append(ms, mat)
		}
		spec["materials"] = ms
	}
	for _, en := range []string{"statutoryDays", "promisedDays", "visits"} {
		if v := get(en); v != "" {
			i, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSuffix(v, "个工作日"), "次"))
			if err != nil || i < 0 {
				bad(en, "%q is not a whole number", v)
				continue
			}
			spec[en] = i
		}
	}
	if v := get("processing"); v != "" {
		if p, ok := processingNames[v]; ok {
			spec["processing"] = p
		} else {
			bad("processing", "%q is neither 即办件 nor 承诺件", v)
		}
	}
	for _, en := range []string{"place", "hours", "onlineURL"} {
		if v := get(en); v != "" {
			spec[en] = v
		}
	}
	p := parsedRow{row: n, impl: resource.Object{APIVersion: resource.DefaultAPIVersion, Kind: KindImplementation,
		Metadata: resource.Metadata{Tenant: tenantCode, Name: code}, Spec: spec}}
	if items {
		item := map[string]any{"code": code, "name": get("name"), "type": get("type")}
		if v := get("category"); v != "" {
			item["category"] = v
		}
		var basis []any
		for _, l := range splitList(get("legalBasis")) {
			law, article, _ := strings.Cut(l.(string), " ")
			b := map[string]any{"law": law}
			if article = strings.TrimSpace(article); article != "" {
				b["article"] = article
			}
			basis = append(basis, b)
		}
		item["legalBasis"] = basis
		var tiers []any
		for _, t := range strings.FieldsFunc(get("tiers"), func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ' ' }) {
			if en, ok := tierNames[t]; ok {
				t = en
			}
			tiers = append(tiers, t)
		}
		item["tiers"] = tiers
		p.item = &resource.Object{APIVersion: resource.DefaultAPIVersion, Kind: KindItem,
			Metadata: resource.Metadata{Tenant: tenantCode, Name: code}, Spec: item, Locks: slices.Clone(DefaultLockedFields)}
	}
	return p, errs
}

// Import applies an item list to tenant, all rows or none: the rows' schema
// problems, then lock and consistency problems, come back per row.
func (c *Catalog) Import(ctx context.Context, actor, tenantCode string, data []byte, items, dryRun bool) (ImportReport, error) {
	rows, errs := ParseList(data, tenantCode, items)
	rep := ImportReport{Rows: len(rows) + countRows(errs), DryRun: dryRun, Errors: []RowError{}}
	var objs []resource.Object
	var rowOf []int
	for _, p := range rows {
		if p.item != nil {
			errs = append(errs, rowErrors(p.row, c.res.Validate(*p.item))...)
			objs, rowOf = append(objs, *p.item), append(rowOf, p.row)
		}
	}
	for _, p := range rows {
		errs = append(errs, rowErrors(p.row, c.res.Validate(p.impl))...)
		objs, rowOf = append(objs, p.impl), append(rowOf, p.row)
	}
	if len(errs) > 0 || len(objs) == 0 {
		if len(objs) == 0 && len(errs) == 0 {
			errs = append(errs, RowError{Row: 0, Message: "the list has no rows"})
		}
		rep.Errors = sortErrors(errs)
		return rep, nil
	}
	results, err := c.res.Apply(ctx, actor, objs, resource.ApplyOptions{DryRun: dryRun})
	if err != nil {
		e, ok := apierr.As(err)
		if !ok {
			return rep, err
		}
		rep.Errors = sortErrors(c.batchErrors(e, objs, rowOf))
		return rep, nil
	}
	for _, r := range results {
		switch {
		case r.Object.Kind == KindItem:
			rep.Items++
		case r.Op == resource.Created:
			rep.Created++
		case r.Op == resource.Updated:
			rep.Updated++
		default:
			rep.Unchanged++
		}
	}
	return rep, nil
}

func countRows(errs []RowError) int {
	rows := map[int]bool{}
	for _, e := range errs {
		if e.Row > 0 {
			rows[e.Row] = true
		}
	}
	return len(rows)
}

func rowErrors(row int, err error) []RowError {
	if err == nil {
		return nil
	}
	e, ok := apierr.As(err)
	if !ok || len(e.Fields) == 0 {
		return []RowError{{Row: row, Message: err.Error()}}
	}
	out := make([]RowError, len(e.Fields))
	for i, f := range e.Fields {
		out[i] = RowError{Row: row, Path: f.Path, Message: f.Message}
	}
	return out
}

var batchPath = regexp.MustCompile(`^/(\d+)(/.*)$`)

// batchErrors maps the errors of a refused batch back to rows: the kernel's paths
// start with the object's index, the module's with /tenant/code.
func (c *Catalog) batchErrors(e *apierr.Error, objs []resource.Object, rowOf []int) []RowError {
	rowByCode := map[string]int{}
	for i, o := range objs {
		rowByCode[o.Metadata.Tenant+"/"+o.Metadata.Name] = rowOf[i]
	}
	var out []RowError
	for _, f := range e.Fields {
		if m := batchPath.FindStringSubmatch(f.Path); m != nil {
			if i, err := strconv.Atoi(m[1]); err == nil && i < len(objs) {
				out = append(out, RowError{Row: rowOf[i], Path: m[2], Message: f.Message})
				continue
			}
		}
		parts := strings.SplitN(strings.TrimPrefix(f.Path, "/"), "/", 3)
		if len(parts) == 3 {
			if row, ok := rowByCode[parts[0]+"/"+parts[1]]; ok {
				out = append(out, RowError{Row: row, Path: "/" + parts[2], Message: f.Message})
				continue
			}
		}
		out = append(out, RowError{Row: rowFor(e, objs, rowOf), Path: f.Path, Message: f.Message})
	}
	if len(out) == 0 {
		out = append(out, RowError{Row: rowFor(e, objs, rowOf), Message: e.Message})
	}
	return out
}

// rowFor finds the row an error about one object names in its details or message.
func rowFor(e *apierr.Error, objs []resource.Object, rowOf []int) int {
	for i, o := range objs {
		if strings.Contains(e.Message, `"`+o.Metadata.Name+`"`) {
			return rowOf[i]
		}
	}
	return 0
}

func sortErrors(errs []RowError) []RowError {
	slices.SortStableFunc(errs, func(a, b RowError) int { return a.Row - b.Row })
	return errs
}

// Export writes the implementation list in force at tenant as CSV with the
// columns Import reads, so an exported list imports back unchanged.
func (c *Catalog) Export(ctx context.Context, tenantCode string) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\xef\xbb\xbf")
	w := csv.NewWriter(&buf)
	header := make([]string, len(columns))
	for i, col := range columns {
		header[i] = col.zh
	}
	if err := w.Write(header); err != nil {
		return nil, err
	}
	after := ""
	for {
		page, err := c.Effective(ctx, tenantCode, Filter{}, maxPage, after)
		if err != nil {
			return nil, err
		}
		for _, im := range page.Items {
			eff, err := c.res.Effective(ctx, KindImplementation, im.Tenant, im.Code)
			if err != nil {
				return nil, err
			}
			if err := w.Write(exportRow(eff.Spec)); err != nil {
				return nil, err
			}
		}
		if !page.HasNext {
			break
		}
		after = page.EndCursor
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

func exportRow(s map[string]any) []string {
	join := func(v any) string {
		var parts []string
		for _, x := range list(v) {
			parts = append(parts, str(x))
		}
		return strings.Join(parts, ";")
	}
	body, _ := s["implementingBody"].(map[string]any)
	var basis, materials []string
	for _, b := range list(s["legalBasis"]) {
		m, _ := b.(map[string]any)
		basis = append(basis, strings.TrimSpace(str(m["law"])+" "+str(m["article"])))
	}
	for _, x := range list(s["materials"]) {
		m, _ := x.(map[string]any)
		ref := str(m["documentType"])
		if st := str(m["standard"]); st != "" {
			ref = "标准:" + st
		}
		materials = append(materials, str(m["name"])+"|"+ref)
	}
	var tiers []string
	for _, t := range list(s["tiers"]) {
		tiers = append(tiers, str(t))
	}
	processing := map[string]string{"immediate": "即办件", "promised": "承诺件"}[str(s["processing"])]
	return []string{str(s["code"]), str(s["name"]), str(s["type"]), str(s["category"]), strings.Join(basis, ";"), strings.Join(tiers, ","),
		str(body["name"]), str(body["creditCode"]), str(body["department"]), join(s["conditions"]), strings.Join(materials, ";"),
		strconv.Itoa(num(s["statutoryDays"])), strconv.Itoa(num(s["promisedDays"])), processing, str(s["place"]), str(s["hours"]),
		join(s["consultation"]), join(s["complaint"]), str(s["onlineURL"]), strconv.Itoa(num(s["visits"]))}
}
