package console_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

// fill sets a control's value as typing would: the page hears input and change.
func fill(sel, v string) chromedp.Action[chromedp.Void] {
	return js(fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = %q;
		e.dispatchEvent(new Event("input", {bubbles: true})); e.dispatchEvent(new Event("change", {bubbles: true})); })()`, sel, v))
}

func check(sel string) chromedp.Action[chromedp.Void] {
	return js(fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.checked = true; e.dispatchEvent(new Event("change", {bubbles: true})); })()`, sel))
}

// TestBrowserData walks the data-standards pages: design an entity at 道里区, save
// it (a bad field name refused at its field first), see the data API serve the
// types the draft preview drew, import a CSV (a bad one rolled back with its row
// and field, then a good one), filter the records, and query them in GraphiQL
// against 道里区's data API.
func TestBrowserData(t *testing.T) {
	b := newBrowser(t)
	admin := b.s.Login(t, kerneltest.SecurityAdmin, kerneltest.AdminPassword)
	applyDir(t, b.s, admin, "../schemas/entities")
	b.signIn(t, kerneltest.SecurityAdmin)

	step(t, "entities in force at 道里区", func(t *testing.T) {
		var nav, list string
		b.goTo(t, "entities?tenant=230102")
		b.run(t, "list", text(`#nav`, &nav), text(`#entities`, &list))
		if !strings.Contains(nav, "实体") {
			t.Errorf("the menu does not offer entities: %q", nav)
		}
		for _, want := range []string{"enterprise", "市场主体", "person", "licence", "230000"} {
			if !strings.Contains(list, want) {
				t.Errorf("the entities at 230102 do not show %q: %q", want, list)
			}
		}
	})

	var draft string
	step(t, "design an entity", func(t *testing.T) {
		b.goTo(t, "new-entity/230102")
		row := func(i int, name, title, typ string) chromedp.Action[chromedp.Void] {
			r := fmt.Sprintf(`#field-rows tr:nth-child(%d) `, i)
			return chromedp.Steps(chromedp.Click(chromedp.CSS(`#add-field`)),
				chromedp.WaitVisible(chromedp.CSS(r+`input.name`)),
				fill(r+`input.name`, name), fill(r+`input.title`, title), fill(r+`select.type`, typ))
		}
		b.run(t, "fields",
			fill(`#entity-name`, "shop"), fill(`#entity-title`, "商铺"),
			row(1, "name", "名称", "string"), check(`#field-rows tr:nth-child(1) input.required`),
			row(2, "licenceNo", "许可证号", "string"), check(`#field-rows tr:nth-child(2) input.unique`),
			row(3, "employees", "从业人数", "integer"),
			row(4, "rating", "评分", "decimal"),
			row(5, "opened", "开业日期", "date"), check(`#field-rows tr:nth-child(5) input.index`),
			// A field typed by a shipped data element (registeredCapital is a decimal).
			row(6, "capital", "注册资本", ""), fill(`#field-rows tr:nth-child(6) input.element`, "registeredCapital"),
			row(7, "Bad-Name", "", "string"),
			// A relation to the province's person, with its inverse on person.
			chromedp.Click(chromedp.CSS(`#add-relation`)),
			chromedp.WaitVisible(chromedp.CSS(`#relation-rows tr:nth-child(1) input.name`)),
			fill(`#relation-rows tr:nth-child(1) input.name`, "owner"), fill(`#relation-rows tr:nth-child(1) input.title`, "经营者"),
			fill(`#relation-rows tr:nth-child(1) select.entity`, "person"), fill(`#relation-rows tr:nth-child(1) input.inverse`, "shops"),
			// The date field moves up above the rating, the bad one is kept for now.
			chromedp.Click(chromedp.CSS(`#field-rows tr:nth-child(5) button.up`)),
			poll(`document.querySelector("#field-rows tr:nth-child(4) input.name").value === "opened"`))
		var sdl string
		b.run(t, "preview", text(`#sdl`, &sdl))
		for _, want := range []string{"type Shop {", "employees: Int", "rating: Float", "capital: Float", "owner: Person  # 经营者", "owner: ID", "input ShopInput {", "shops(", "createShop(input: ShopInput!"} {
			if !strings.Contains(sdl, want) {
				t.Errorf("the draft's SDL lacks %q:\n%s", want, sdl)
			}
		}
		var refusal string
		b.run(t, "save with a bad field name",
			chromedp.Click(chromedp.CSS(`#save`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-path="/spec/fields/6/name"].invalid .field-error div`)),
			text(`[data-path="/spec/fields/6/name"] .field-error`, &refusal))
		if !strings.Contains(refusal, "VALIDATION_FAILED") {
			t.Errorf("a bad field name is refused at its field with %q", refusal)
		}
		b.run(t, "remove it and save",
			chromedp.Click(chromedp.CSS(`#field-rows tr:nth-child(7) button.remove`)),
			poll(`document.querySelectorAll("#field-rows tr").length === 6`),
			text(`#sdl`, &draft),
			chromedp.Click(chromedp.CSS(`#save`)),
			ready("entities/230102/shop"),
			poll(`document.getElementById("sdl-source").textContent.includes("/data/230102/graphql")`))
		var served string
		b.run(t, "served types", text(`#sdl`, &served))
		if served != draft {
			t.Errorf("the data API serves other types than the draft preview drew:\nserved:\n%s\ndraft:\n%s", served, draft)
		}
		d := b.s.MustDo(t, admin, `{resource(kind:"EntitySchema", tenant:"230102", name:"shop"){spec}}`, nil)
		spec := fmt.Sprint(d["resource"].(map[string]any)["spec"])
		if !strings.Contains(spec, "map[index:true name:opened title:开业日期 type:date] map[name:rating") ||
			!strings.Contains(spec, "relations:[map[entity:person inverse:shops kind:manyToOne name:owner title:经营者]]") {
			t.Errorf("the designer saved %s", spec)
		}
		b.run(t, "to the top", js(`window.scrollTo(0, 0)`))
		b.shot(t, "entity-designer")
	})

	step(t, "import a CSV", func(t *testing.T) {
		dir := t.TempDir()
		bad := filepath.Join(dir, "bad.csv")
		good := filepath.Join(dir, "shops.csv")
		os.WriteFile(bad, []byte("name,licenceNo,employees,opened\n道里老鼎丰,JY001,12,2020-05-01\n,JY002,many,2021-01-01\n"), 0o644)
		os.WriteFile(good, []byte("name,licenceNo,employees,rating,opened\n道里老鼎丰,JY001,12,4.5,2020-05-01\n中央大街华梅西餐厅,JY002,40,4.8,1925-03-01\n道里秋林里道斯,JY003,8,4.1,2019-09-09\n"), 0o644)
		b.goTo(t, "import/230102/shop")
		var header, href string
		b.run(t, "the template", eval(`document.getElementById("import-template").dataset.header`, &header),
			eval(`document.getElementById("import-template").href`, &href))
		if header != "name,licenceNo,employees,opened,rating,capital,owner,tenant\n" || !strings.HasPrefix(href, "blob:") {
			t.Errorf("the CSV template (%s) has the header %q", href, header)
		}
		var summary, errs string
		b.run(t, "a bad file imports nothing",
			chromedp.SetUploadFiles(chromedp.CSS(`#import-file`), []string{bad}),
			poll(`document.getElementById("import-info").textContent.includes("bad.csv")`),
			chromedp.Click(chromedp.CSS(`#import-start`)),
			chromedp.WaitVisible(chromedp.CSS(`#import-summary`)),
			text(`#import-summary`, &summary), text(`#import-errors`, &errs))
		if !strings.Contains(summary, "整批未导入") || !strings.Contains(errs, "/name") || !strings.Contains(errs, "/employees") {
			t.Errorf("a bad row: summary %q, errors %q", summary, errs)
		}
		b.shot(t, "import")
		b.run(t, "a good file",
			chromedp.SetUploadFiles(chromedp.CSS(`#import-file`), []string{good}),
			poll(`document.getElementById("import-info").textContent.includes("shops.csv")`),
			chromedp.Click(chromedp.CSS(`#import-start`)),
			poll(`(document.getElementById("import-summary") || {}).textContent?.includes("导入 3 行")`, chromedp.WithPollingTimeout(20*time.Second)),
			text(`#import-summary`, &summary))
		var sent float64
		var steps string
		b.run(t, "progress", eval(`document.getElementById("import-upload").value / document.getElementById("import-upload").max`, &sent),
			eval(`document.getElementById("import-rows").dataset.steps || ""`, &steps))
		if sent != 1 {
			t.Errorf("the upload progress ends at %v", sent)
		}
		// Three rows, a progress line asked for every row: three steps on the rows bar.
		if steps != "3" {
			t.Errorf("the rows bar heard %q progress lines from the server, want 3", steps)
		}
	})

	step(t, "records with a filter", func(t *testing.T) {
		// The first shop's owner, a person at the province's entity.
		p := b.s.Data(t, "230102", admin, `mutation{createPerson(input:{name:"李明", residentId:"11010519491231002X"}){id}}`, nil)
		if len(p.Errors) > 0 {
			t.Fatalf("create a person: %s", p.Body)
		}
		pid := p.Data["createPerson"].(map[string]any)["id"].(string)
		if u := b.s.Data(t, "230102", admin, `mutation($o:ID){updateShop(id:"1", input:{owner:$o}){id}}`, map[string]any{"o": pid}); len(u.Errors) > 0 {
			t.Fatalf("set the owner: %s", u.Body)
		}
		b.goTo(t, "records/230102/shop")
		var total string
		var masked int
		b.run(t, "all", poll(`document.querySelectorAll("#records tbody tr").length === 3`), text(`#records-total`, &total),
			eval(`document.querySelectorAll("#records td.masked").length`, &masked))
		if masked != 0 {
			t.Errorf("with no field classified, %d filters are withheld as masked", masked)
		}
		var owner string
		b.run(t, "the relation's column", eval(`(() => { const i = [...document.querySelectorAll("#records thead tr:first-child th")].findIndex(th => th.dataset.field === "owner");
			return i < 0 ? "no column" : document.querySelector('#records tbody tr[data-id="1"]').children[i].textContent; })()`, &owner))
		if owner != "#"+pid {
			t.Errorf("the first shop's owner shows %q, want #%s", owner, pid)
		}
		if !strings.Contains(total, "共 3 条") {
			t.Errorf("records total %q", total)
		}
		var rows string
		b.run(t, "filter and order",
			fill(`#records tr.filters td[data-field=name] select.op`, "startsWith"),
			fill(`#records tr.filters td[data-field=name] input.val`, "道里"),
			chromedp.Click(chromedp.CSS(`#apply-filter`)),
			poll(`document.getElementById("records-total").textContent.includes("共 2 条")`),
			chromedp.Click(chromedp.CSS(`#records th[data-field=employees] button.sort`)),
			chromedp.Click(chromedp.CSS(`#records th[data-field=employees] button.sort`)),
			poll(`document.querySelector("#records tbody tr:first-child").textContent.includes("老鼎丰")`),
			text(`#records tbody`, &rows))
		if strings.Contains(rows, "华梅") || !strings.Contains(rows, "秋林") {
			t.Errorf("filtered by name startsWith 道里, the table shows %q", rows)
		}
		b.shot(t, "records")
	})

	step(t, "GraphiQL on 道里区's data API", func(t *testing.T) {
		b.goTo(t, "graphiql?tenant=230102&entity=shop")
		var url, result string
		b.run(t, "run the query",
			chromedp.WaitVisible(chromedp.CSS(`.graphiql-execute-button`)),
			text(`#graphiql-url`, &url),
			chromedp.Click(chromedp.CSS(`.graphiql-execute-button`)),
			poll(`(document.querySelector(".result-window") || {}).textContent?.includes("华梅")`, chromedp.WithPollingTimeout(20*time.Second)),
			text(`.result-window`, &result))
		if url != "/data/230102/graphql" || !strings.Contains(result, `"shops"`) || !strings.Contains(result, "JY002") {
			t.Errorf("GraphiQL at %q answered %q", url, result)
		}
	})

	step(t, "the list shows the new entity", func(t *testing.T) {
		var list string
		b.goTo(t, "entities?tenant=230102")
		b.run(t, "list", text(`#entities tr[data-entity=shop]`, &list))
		if !strings.Contains(list, "商铺") || !strings.Contains(list, "230102") {
			t.Errorf("the new entity's row: %q", list)
		}
		b.shot(t, "entities")
	})

	step(t, "a draft of a shipped entity previews as served", func(t *testing.T) {
		// enterprise names data elements (registeredCapital is a decimal) and others
		// derive relations onto it (licences, applications): the draft takes both
		// from the served types, so an edit that changes no field changes no type.
		var served, draft, source string
		b.goTo(t, "entities/230000/enterprise")
		b.run(t, "served", poll(`document.getElementById("sdl-source").textContent.includes("/data/230000/graphql")`), text(`#sdl`, &served),
			fill(`#entity-title`, "市场主体（草稿）"),
			poll(`!document.getElementById("sdl-source").textContent.includes("/data/230000/graphql")`),
			text(`#sdl`, &draft), text(`#sdl-source`, &source))
		if !strings.Contains(served, "registeredCapital: Float") || !strings.Contains(served, "licences(") {
			t.Errorf("enterprise as served:\n%s", served)
		}
		if draft != served || !strings.Contains(source, "草稿") {
			t.Errorf("the draft (%q) differs from the served types:\nserved:\n%s\ndraft:\n%s", source, served, draft)
		}
	})

	step(t, "a local layer at 道里区", func(t *testing.T) {
		// enterprise is defined at the province: at 道里区 the designer shows its
		// fields as inherited and saves the county's own as a layer of its own.
		var inherited, draft, served string
		b.goTo(t, "entities/230102/enterprise")
		b.run(t, "add a local field",
			text(`#inherited-fields`, &inherited),
			chromedp.Click(chromedp.CSS(`#add-field`)),
			fill(`#field-rows tr:nth-child(1) input.name`, "street"), fill(`#field-rows tr:nth-child(1) input.title`, "街道"),
			poll(`document.getElementById("sdl").textContent.includes("street: String")`),
			text(`#sdl`, &draft),
			chromedp.Click(chromedp.CSS(`#save`)),
			poll(`document.getElementById("sdl-source").textContent.includes("/data/230102/graphql") && document.querySelector("#entity-form .badge, h2 .badge")`),
			text(`#sdl`, &served))
		if !strings.Contains(inherited, "registeredCapital") || !strings.Contains(inherited, "230000") {
			t.Errorf("inherited fields at 道里区: %q", inherited)
		}
		if served != draft {
			t.Errorf("the local layer's draft and the served types differ:\nserved:\n%s\ndraft:\n%s", served, draft)
		}
		d := b.s.MustDo(t, admin, `{resource(kind:"EntitySchema", tenant:"230102", name:"enterprise"){spec}}`, nil)
		if got := fmt.Sprint(d["resource"].(map[string]any)["spec"]); got != "map[fields:[map[name:street title:街道 type:string]]]" {
			t.Errorf("the local layer saved: %s", got)
		}
		r := b.s.Data(t, "230100", admin, `{__type(name:"Enterprise"){fields{name}}}`, nil)
		if strings.Contains(r.Body, "street") {
			t.Errorf("道里区's local field is in 哈尔滨市's API: %s", r.Body)
		}
	})

	step(t, "in English", func(t *testing.T) {
		var heads, source string
		b.run(t, "switch",
			switchLanguage("en"),
			poll(`document.documentElement.lang === "en"`))
		b.goTo(t, "entities/230102/shop")
		b.run(t, "designer in English", text(`#fields thead`, &heads), text(`#sdl-source`, &source))
		if !strings.Contains(heads, "Data element") || !strings.Contains(heads, "Required") || !strings.Contains(source, "Introspected from /data/230102/graphql") {
			t.Errorf("the designer in English: heads %q, preview %q", heads, source)
		}
		var total string
		b.goTo(t, "records/230102/shop")
		b.run(t, "records in English", poll(`document.getElementById("records-total").textContent.includes("3 records")`), text(`#records-total`, &total))
		b.run(t, "back to Chinese",
			switchLanguage("zh-CN"),
			poll(`document.documentElement.lang === "zh-CN"`))
	})

	step(t, "a reader sees masked values and may not filter on them", func(t *testing.T) {
		b.s.MustDo(t, admin, `mutation($p:String!){createUser(input:{username:"daoli.clerk",password:$p,homeTenant:"230102"}){id}}`,
			map[string]any{"p": kerneltest.AdminPassword})
		if r := b.s.Apply(t, admin, `apiVersion: gdbos.io/v1
kind: Classification
metadata: {tenant: "230102", name: Shop}
spec: {fields: {licenceNo: {level: personal, mask: {keepFirst: 2, replace: "*"}}}}
---
apiVersion: gdbos.io/v1
kind: Role
metadata: {tenant: "230102", name: shop-reader}
spec: {permissions: [{resources: [tenants, EntitySchema, Shop], actions: [read]}]}
---
apiVersion: gdbos.io/v1
kind: RoleBinding
metadata: {tenant: "230102", name: daoli-clerk}
spec: {role: shop-reader, subjects: [{kind: User, name: daoli.clerk}]}
`); len(r.Errors) > 0 {
			t.Fatalf("classify and bind the reader: %s", r.Body)
		}
		var level string
		b.goTo(t, "entities/230102/shop")
		b.run(t, "the designer shows the class", text(`#field-rows tr:nth-child(2) td.level`, &level))
		if level != "个人" {
			t.Errorf("licenceNo's class in the designer: %q", level)
		}
		b.run(t, "sign out", chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`#login`)))
		b.signIn(t, "daoli.clerk")
		b.goTo(t, "records/230102/shop")
		var cells, links string
		b.run(t, "masked", poll(`document.querySelectorAll("#records tbody tr").length === 3`),
			eval(`[...document.querySelectorAll("#records tbody tr")].map(r => r.children[3].textContent).join(" ")`, &cells),
			text(`.records p.links`, &links))
		if strings.Contains(cells, "JY00") || !strings.Contains(cells, "JY***") {
			t.Errorf("the reader sees licenceNo as %q, want it masked as the server answers", cells)
		}
		if strings.Contains(links, "导入") {
			t.Errorf("a reader is offered the import: %q", links)
		}
		// The API would refuse a filter or an order on the masked field (ADR 25): it
		// says which, and the page offers neither; the others stay.
		var offered struct{ Filter, Sort, Others int }
		b.run(t, "no filter on the masked field", eval(`({
			filter: document.querySelectorAll("#records tr.filters td[data-field=licenceNo] input").length,
			sort: document.querySelectorAll("#records th[data-field=licenceNo] button.sort").length,
			others: document.querySelectorAll("#records tr.filters input.val").length })`, &offered))
		if offered.Filter != 0 || offered.Sort != 0 || offered.Others < 4 {
			t.Errorf("for the masked licenceNo the page offers %d filter inputs and %d sort buttons; %d filter inputs in all", offered.Filter, offered.Sort, offered.Others)
		}
	})

	step(t, "pages", func(t *testing.T) {
		var more strings.Builder
		more.WriteString("name,licenceNo,employees\n")
		for i := range 22 {
			fmt.Fprintf(&more, "道外商铺%02d,JW%03d,%d\n", i, i, i)
		}
		importCSV(t, b, admin, "230102", "shop", more.String(), 22)
		b.goTo(t, "records/230102/shop")
		var first, second, back string
		b.run(t, "page through 25 records",
			poll(`document.getElementById("records-total").textContent.includes("共 25 条")`),
			text(`#records-total`, &first),
			chromedp.Click(chromedp.CSS(`#next-page`)),
			poll(`document.querySelectorAll("#records tbody tr").length === 5`),
			text(`#records-total`, &second),
			chromedp.Click(chromedp.CSS(`#prev-page`)),
			poll(`document.querySelectorAll("#records tbody tr").length === 20`),
			text(`#records-total`, &back))
		if !strings.Contains(first, "第 1–20 条") || !strings.Contains(second, "第 21–25 条") || back != first {
			t.Errorf("pages: %q, then %q, back %q", first, second, back)
		}
	})
}

// importCSV imports rows through the data API as token, failing the test unless all
// of them land.
func importCSV(tb testing.TB, b *browser, token, tenant, entity, csv string, rows int) {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.s.URL+"/data/"+tenant+"/import/"+entity+"?format=csv", strings.NewReader(csv))
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), fmt.Sprintf(`"imported":%d`, rows)) {
		tb.Fatalf("import: %s", body)
	}
}

// BenchmarkDataPages measures the data pages that need records, as BenchmarkPages
// does the others: a full load until the page has rendered, on 道里区 with an entity
// of five fields and 1,000 records imported.
//
//	go test ./console/ -run '^$' -bench DataPages -benchtime 10x
func BenchmarkDataPages(b *testing.B) {
	br := newBrowser(b)
	admin := br.s.Admin(b)
	if r := br.s.Apply(b, admin, `apiVersion: gdbos.io/v1
kind: EntitySchema
metadata: {tenant: "230102", name: shop}
spec:
  title: 商铺
  fields:
    - {name: name, title: 名称, type: string, required: true}
    - {name: licenceNo, title: 许可证号, type: string, unique: true}
    - {name: employees, title: 从业人数, type: integer}
    - {name: rating, title: 评分, type: decimal}
    - {name: opened, title: 开业日期, type: date, index: true}
`); len(r.Errors) > 0 {
		b.Fatalf("apply the entity: %s", r.Body)
	}
	var csv strings.Builder
	csv.WriteString("name,licenceNo,employees,rating,opened\n")
	for i := range 1000 {
		fmt.Fprintf(&csv, "道里商铺%04d,JY%06d,%d,%.1f,2020-01-%02d\n", i, i, i%50, 3+float64(i%20)/10, 1+i%28)
	}
	importCSV(b, br, admin, "230102", "shop", csv.String(), 1000)
	br.signIn(b, kerneltest.SecurityAdmin)
	n := 0
	for _, route := range []string{"entities/230102/shop", "records/230102/shop", "import/230102/shop", "graphiql?tenant=230102&entity=shop"} {
		path := strings.SplitN(route, "?", 2)[0]
		wait := ready(path)
		if path == "graphiql" {
			wait = chromedp.Steps(wait, chromedp.WaitVisible(chromedp.CSS(`.graphiql-execute-button`)))
		}
		b.Run(strings.NewReplacer("/", "_", "?", "_", "&", "_").Replace(route), func(b *testing.B) {
			for b.Loop() {
				n++
				br.run(b, "load "+route, chromedp.Navigate(fmt.Sprintf("%s/?load=%d#/%s", br.s.URL, n, route)), wait)
			}
		})
	}
}
