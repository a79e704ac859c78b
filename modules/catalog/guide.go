package catalog

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"

	"github.com/gdbos/gdbos/core/apierr"
)

// guideTemplate is the service guide (办事指南): the sections of GB/T 39554.1's
// implementation list in the order a citizen reads them, printable on A4.
var guideTemplate = template.Must(template.New("guide").Funcs(template.FuncMap{
	"typeName": typeName, "processing": processingName, "yuan": func(v any) string { return fmt.Sprintf("%.2f 元", toFloat(v)) },
}).Parse(`<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{.S.name}} 办事指南</title>
<style>
body{font-family:"Noto Serif CJK SC","Songti SC",SimSun,serif;max-width:48em;margin:2em auto;line-height:1.6;color:#111}
h1{text-align:center;font-size:1.6em}h2{font-size:1.15em;border-left:4px solid #b00;padding-left:.5em;margin-top:1.4em}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3;width:9em}.meta{text-align:center;color:#555}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}table{break-inside:avoid}}
</style></head><body>
<h1>{{.S.name}}</h1>
<p class="meta">{{.TenantName}} · 实施编码 {{.Code}}</p>
<h2>基本信息</h2>
<table>
<tr><th>事项名称</th><td>{{.S.name}}</td></tr>
<tr><th>基本编码</th><td>{{.S.code}}</td></tr>
<tr><th>实施编码</th><td>{{.Code}}</td></tr>
<tr><th>事项类型</th><td>{{typeName .S.type}}</td></tr>
<tr><th>实施主体</th><td>{{with .S.implementingBody}}{{.name}}{{end}}</td></tr>
<tr><th>办件类型</th><td>{{processing .S.processing}}</td></tr>
<tr><th>法定办结时限</th><td>{{.S.statutoryDays}} 个工作日</td></tr>
<tr><th>承诺办结时限</th><td>{{.S.promisedDays}} 个工作日{{with .S.deadlineNote}}（{{.}}）{{end}}</td></tr>
<tr><th>到现场次数</th><td>{{if eq .Visits 0}}0 次（不见面办理）{{else}}{{.Visits}} 次{{end}}</td></tr>
</table>
<h2>设定依据</h2>
<ul>{{range .S.legalBasis}}<li>{{.law}}{{with .article}} {{.}}{{end}}</li>{{end}}</ul>
<h2>受理条件</h2>
{{with .S.conditions}}<ol>{{range .}}<li>{{.}}</li>{{end}}</ol>{{else}}<p>无</p>{{end}}
<h2>申请材料</h2>
{{with .S.materials}}<table><tr><th>材料名称</th><th>依据</th><th>份数</th><th>要求</th></tr>
{{range .}}<tr><td>{{.name}}</td><td>{{with .standard}}数据标准 {{.}}{{end}}{{with .documentType}}证照 {{.}}{{end}}</td><td>{{with .copies}}{{.}}{{else}}1{{end}}</td><td>{{if .original}}原件{{else}}复印件{{end}}{{if eq .required false}}（非必要）{{end}}</td></tr>
{{end}}</table>{{else}}<p>无</p>{{end}}
<h2>办理流程</h2>
{{with .S.process}}<ol>{{range .}}<li><strong>{{.step}}</strong>{{with .description}}：{{.}}{{end}}</li>{{end}}</ol>{{else}}<p>—</p>{{end}}
<h2>收费</h2>
{{with .S.fees}}<table><tr><th>收费项目</th><th>金额</th><th>依据</th></tr>{{range .}}<tr><td>{{.name}}</td><td>{{yuan .amount}}</td><td>{{.basis}}</td></tr>{{end}}</table>{{else}}<p>不收费</p>{{end}}
<h2>办理地点和时间</h2>
<table><tr><th>办理地点</th><td>{{.S.place}}</td></tr><tr><th>办理时间</th><td>{{.S.hours}}</td></tr>
<tr><th>网上办理</th><td>{{with .S.onlineURL}}<a href="{{.}}">{{.}}</a>{{else}}—{{end}}</td></tr></table>
<h2>咨询和投诉</h2>
<table><tr><th>咨询方式</th><td>{{range .S.consultation}}{{.}}<br>{{end}}</td></tr>
<tr><th>监督投诉</th><td>{{range .S.complaint}}{{.}}<br>{{end}}</td></tr></table>
</body></html>
`))

var itemTypeNames = map[string]string{
	"01": "行政许可", "02": "行政处罚", "03": "行政强制", "04": "行政征收", "05": "行政给付",
	"06": "行政检查", "07": "行政确认", "08": "行政奖励", "09": "行政裁决", "10": "其他行政权力", "20": "公共服务",
}

func typeName(v any) string {
	s := str(v)
	if n, ok := itemTypeNames[s]; ok {
		return n + "（" + s + "）"
	}
	return s
}

// itemTypeNameOr is the name of an item type code (行政许可), or s itself.
func itemTypeNameOr(s string) string {
	if n, ok := itemTypeNames[s]; ok {
		return n
	}
	return s
}

func processingName(v any) string {
	switch str(v) {
	case "immediate":
		return "即办件"
	case "promised":
		return "承诺件"
	}
	return str(v)
}

func toFloat(v any) float64 {
	f, _ := v.(float64)
	return f
}

// Guide renders the service guide of the implementation stored at tenant, from its
// effective spec.
func (c *Catalog) Guide(ctx context.Context, tenantCode, code string) (string, error) {
	eff, err := c.res.Effective(ctx, KindImplementation, tenantCode, code)
	if err != nil {
		return "", err
	}
	implCode := str(eff.Spec["implementationCode"])
	if implCode == "" {
		implCode = c.computedCode(ctx, tenantCode, eff.Spec, code, newSettingsMemo(c))
	}
	t, ok := c.tenants.Get(tenantCode)
	if !ok {
		return "", apierr.New(apierr.NotFound, "tenant %q does not exist", tenantCode)
	}
	var buf bytes.Buffer
	err = guideTemplate.Execute(&buf, map[string]any{
		"S": eff.Spec, "Code": implCode, "TenantName": t.Name, "Visits": num(eff.Spec["visits"]),
	})
	if err != nil {
		return "", fmt.Errorf("catalog: guide %s at %s: %w", code, tenantCode, err)
	}
	return buf.String(), nil
}

// computedCode is the 实施编码 of an implementation that does not state it; "" when
// it cannot be built.
func (c *Catalog) computedCode(ctx context.Context, tenantCode string, spec map[string]any, code string, memo *settingsMemo) string {
	t, ok := c.tenants.Get(tenantCode)
	if !ok {
		return ""
	}
	set, err := memo.at(ctx, tenantCode)
	if err != nil {
		return ""
	}
	d, ok := set.TierDigits[string(t.Level)]
	if !ok {
		return ""
	}
	body, _ := spec["implementingBody"].(map[string]any)
	ic, err := ImplementationCode(str(body["creditCode"]), d[0], code)
	if err != nil {
		return ""
	}
	return ic
}

// serveGuide serves the guide of an item in force at a tenant as a page, without
// signing in: 办事指南 are published for citizens (docs/adr/0033). Only where the
// module is enabled; unknown tenants and items are 404.
func (c *Catalog) serveGuide(w http.ResponseWriter, r *http.Request) {
	tenantCode, code := r.PathValue("tenant"), r.PathValue("code")
	on, err := c.host.Enabled(r.Context(), tenantCode)
	if err != nil || !on || CheckBasicCode(code) != nil {
		http.NotFound(w, r)
		return
	}
	im, err := c.InForce(r.Context(), tenantCode, code)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	html, err := c.Guide(r.Context(), im.Tenant, im.Code)
	if err != nil {
		c.log.Error("catalog: guide", "tenant", tenantCode, "code", code, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write([]byte(html))
}
