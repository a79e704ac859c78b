package console_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
	"github.com/gdbos/gdbos/core/module"
	"github.com/gdbos/gdbos/modules/catalog"
)

// newCatalogBrowser is newBrowser on a kernel that runs the catalog module with the
// Harbin demo catalog loaded (3,086 items, 13,315 implementations, four 办事不求人
// lists, a year of cases), as `gdbos serve --demo` runs it. newBrowser's own kernel
// has no modules; the tab is pointed at this one instead.
func newCatalogBrowser(tb testing.TB) (*browser, catalog.Demo) {
	tb.Helper()
	b := newBrowser(tb)
	cat := catalog.New()
	s := kerneltest.Start(tb, kerneltest.Options{Modules: []module.Module{cat}})
	applyDir(tb, s, s.Admin(tb), "../examples/harbin")
	start := time.Now()
	if _, err := cat.LoadDemo(context.Background(), catalog.DefaultDemo); err != nil {
		tb.Fatalf("load the demo catalog: %v", err)
	}
	tb.Logf("demo catalog loaded in %v", time.Since(start).Round(time.Millisecond))
	b.s = s
	names := map[string]string{}
	for _, t := range s.K.Tenants().Children("230100") {
		names[t.Code] = t.Name
	}
	var counties []string
	for code := range names {
		counties = append(counties, code)
	}
	slices.Sort(counties)
	return b, catalog.GenerateDemo(catalog.DefaultDemo, counties, names)
}

// devolvable picks, among the first page of the city's implementations (by code), an
// item a county may exercise and one only the city may: the wizard devolves the
// first and is refused the second.
func devolvable(t *testing.T, d catalog.Demo) (county, cityOnly string) {
	t.Helper()
	tiers := map[string][]any{}
	for _, it := range d.Items {
		tiers[it.Metadata.Name] = it.Spec["tiers"].([]any)
	}
	var city []string
	for _, im := range d.Implementations {
		if im.Metadata.Tenant == "230100" {
			city = append(city, im.Metadata.Name)
		}
	}
	slices.Sort(city)
	for _, code := range city[:50] {
		switch {
		case county == "" && slices.Contains(tiers[code], any("county")):
			county = code
		case cityOnly == "" && !slices.Contains(tiers[code], any("county")):
			cityOnly = code
		}
	}
	if county == "" || cityOnly == "" {
		t.Fatalf("no county item (%q) or city-only item (%q) on the first page", county, cityOnly)
	}
	return county, cityOnly
}

func TestBrowserCatalog(t *testing.T) {
	b, demo := newCatalogBrowser(t)
	admin := b.s.Login(t, kerneltest.SecurityAdmin, kerneltest.AdminPassword)
	inForce := func(tenant, code string) string {
		d := b.s.MustDo(t, admin, `query($t:String!,$c:String!){serviceImplementation(tenant:$t,code:$c){tenant}}`, map[string]any{"t": tenant, "c": code})
		im, _ := d["serviceImplementation"].(map[string]any)
		if im == nil {
			return ""
		}
		return im["tenant"].(string)
	}
	county, cityOnly := devolvable(t, demo)
	b.signIn(t, kerneltest.SecurityAdmin)

	step(t, "basic catalog", func(t *testing.T) {
		var nav, count string
		b.run(t, "nav", text(`#nav`, &nav))
		if !strings.Contains(nav, "事项目录") || !strings.Contains(nav, "概览") {
			t.Errorf("the menu does not offer the catalog and the dashboard: %q", nav)
		}
		b.goTo(t, "catalog")
		b.run(t, "count", text(`#catalog-count`, &count))
		if !strings.Contains(count, "3086") {
			t.Errorf("the basic catalog at 230000 counts %q, want 3086 items", count)
		}
		var rows int
		var next string
		b.run(t, "first page", eval(`document.querySelectorAll("#catalog-items tr[data-code]").length`, &rows), eval(`document.querySelector("#next-page").getAttribute("href")`, &next))
		if rows != 50 || !strings.Contains(next, "after=") {
			t.Errorf("the first page has %d rows, next %q", rows, next)
		}
		b.run(t, "next page", chromedp.Click(chromedp.CSS(`#next-page`)), poll(`location.hash.includes("after=")`), ready("catalog/230000"),
			eval(`document.querySelectorAll("#catalog-items tr[data-code]").length`, &rows))
		if rows != 50 {
			t.Errorf("the second page has %d rows", rows)
		}
		var found string
		b.goTo(t, "catalog/230000")
		b.run(t, "search",
			chromedp.SendKeys(chromedp.CSS(`#catalog-search`), "施工许可"),
			chromedp.Click(chromedp.CSS(`#catalog-filter button[type=submit]`)),
			poll(`location.hash.includes("search=")`), ready("catalog/230000"),
			text(`#catalog-items`, &found), text(`#catalog-count`, &count))
		if !strings.Contains(found, "施工许可") || strings.Contains(count, "3086") {
			t.Errorf("search 施工许可 finds %q (%s)", found, count)
		}
		b.shot(t, "catalog")
	})

	step(t, "implementation list", func(t *testing.T) {
		b.goTo(t, "implementations/230102")
		var count, list string
		b.run(t, "list", text(`#impl-count`, &count), text(`#impl-list`, &list))
		if !strings.Contains(list, "道里区") || !strings.Contains(list, "哈尔滨市") {
			t.Errorf("道里区's list in force shows %q: want its own and the city's implementations", list)
		}
		var online, rows int
		b.run(t, "only fully online",
			chromedp.Click(chromedp.CSS(`#impl-filter input[name=online]`)),
			chromedp.Click(chromedp.CSS(`#impl-filter button[type=submit]`)),
			poll(`location.hash.includes("online=1")`), ready("implementations/230102"),
			eval(`document.querySelectorAll("#impl-list tr[data-code]").length`, &rows),
			eval(`document.querySelectorAll("#impl-list .badge.online").length`, &online))
		if rows == 0 || online != rows {
			t.Errorf("with 不见面 only: %d rows, %d online", rows, online)
		}
		b.goTo(t, "implementations/230100")
		b.shot(t, "implementations")
		var facts string
		b.run(t, "open one", chromedp.Click(chromedp.CSS(`#impl-list tr[data-code] a`)), poll(`location.hash.split("/").length === 4`),
			chromedp.WaitVisible(chromedp.CSS(`main:not([aria-busy]) #impl-facts`)), text(`#impl-facts`, &facts))
		if !strings.Contains(facts, "实施编码") || !strings.Contains(facts, "哈尔滨市") {
			t.Errorf("an implementation's facts: %q", facts)
		}
	})

	var id string
	step(t, "devolve with the wizard", func(t *testing.T) {
		// One item from its implementation's page, one ticked in the wizard's list.
		b.goTo(t, "implementations/230100/"+county)
		var body, chosen string
		b.run(t, "from the implementation", chromedp.Click(chromedp.CSS(`#impl-devolve`)), ready("devolve/230100"), text(`#dev-chosen`, &chosen))
		if !strings.Contains(chosen, county) {
			t.Errorf("the wizard opened from %s's page has chosen %q", county, chosen)
		}
		b.run(t, "choose items and a district",
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`#dev-item-list input[data-code=%q]`, cityOnly))),
			chromedp.Click(chromedp.CSS(`#dev-target-list input[data-tenant="230102"]`)),
			poll(`document.querySelector('#dev-target-list tr[data-tenant="230102"] input[name=creditCode]').value.length === 18`),
			value(`#dev-target-list tr[data-tenant="230102"] input[name=bodyName]`, &body))
		if !strings.HasPrefix(body, "道里区") {
			t.Errorf("the body suggested for 道里区 is %q", body)
		}
		var summary, refused string
		b.run(t, "preview",
			chromedp.Click(chromedp.CSS(`#dev-preview-btn`)),
			chromedp.WaitVisible(chromedp.CSS(`#dev-confirm`)),
			text(`#dev-summary`, &summary), text(`#dev-refused`, &refused))
		if !strings.Contains(summary, "将下放 1 项") || !strings.Contains(refused, cityOnly) || !strings.Contains(refused, "not exercised at county level") {
			t.Errorf("the preview says %q, refused %q", summary, refused)
		}
		if got := inForce("230102", county); got != "230100" {
			t.Fatalf("a preview moved %s to %s", county, got)
		}
		b.run(t, "steps 2 and 3 in view", chromedp.EmulateViewport(1280, 1300), js(`document.querySelector("ol.wizard > li:nth-child(2)").scrollIntoView()`))
		b.shot(t, "devolution-wizard")
		b.run(t, "back", chromedp.EmulateViewport(1280, 900))
		var counts, moved string
		b.run(t, "confirm",
			chromedp.Click(chromedp.CSS(`#dev-confirm`)),
			poll(`/^#\/devolutions\/230100\/\d+$/.test(location.hash)`),
			chromedp.WaitVisible(chromedp.CSS(`main:not([aria-busy]) #dev-counts`)),
			eval(`location.hash.split("/").pop()`, &id),
			text(`#dev-counts`, &counts), text(`#dev-moved`, &moved), text(`#dev-refused`, &refused))
		if !strings.Contains(moved, county) || !strings.Contains(moved, "道里区") || !strings.Contains(refused, cityOnly) {
			t.Errorf("the report: moved %q, refused %q, counts %q", moved, refused, counts)
		}
		if got := inForce("230102", county); got != "230102" {
			t.Errorf("after the devolution %s is in force at 230102 from %q", county, got)
		}
		if got := inForce("230102", cityOnly); got != "230100" {
			t.Errorf("the refused %s is in force at 230102 from %q", cityOnly, got)
		}
		b.shot(t, "devolution-report")
	})

	step(t, "undo from the journal", func(t *testing.T) {
		b.goTo(t, "devolutions/230100")
		b.run(t, "journal", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#dev-journal tr[data-id=%q] a`, id))),
			chromedp.WaitVisible(chromedp.CSS(`main:not([aria-busy]) #dev-undo`)))
		var status string
		b.run(t, "undo",
			js(`window.confirm = () => true`),
			chromedp.Click(chromedp.CSS(`#dev-undo`)),
			poll(`(document.querySelector("#dev-status") || {}).textContent?.includes("已撤销")`),
			text(`#dev-status`, &status))
		var undoButtons int
		b.run(t, "no second undo", eval(`document.querySelectorAll("#dev-undo").length`, &undoButtons))
		if undoButtons != 0 || !strings.Contains(status, "恢复 2 项") {
			t.Errorf("after undo: %q, %d undo buttons", status, undoButtons)
		}
		if got := inForce("230102", county); got != "230100" {
			t.Errorf("after the undo %s is in force at 230102 from %q", county, got)
		}
	})

	step(t, "guide preview", func(t *testing.T) {
		b.goTo(t, "implementations/230102/"+county)
		var guide string
		b.run(t, "open the guide", chromedp.Click(chromedp.CSS(`#open-guide`)), ready("guide/230102/"+county),
			poll(`(document.getElementById("guide-frame").contentDocument || {}).body?.textContent.includes("受理条件")`),
			eval(`document.getElementById("guide-frame").contentDocument.body.textContent`, &guide))
		if !strings.Contains(guide, "办理流程") || !strings.Contains(guide, "哈尔滨市") {
			t.Errorf("the guide shows %q", guide)
		}
		b.shot(t, "guide")
	})

	step(t, "curated lists", func(t *testing.T) {
		b.goTo(t, "lists/230102")
		var lists string
		b.run(t, "lists", text(`#service-lists`, &lists))
		if !strings.Contains(lists, "办事不求人") || !strings.Contains(lists, "第4批") {
			t.Errorf("the lists at 道里区: %q", lists)
		}
		b.goTo(t, "lists/230100/yijianshi-kaiban?new=1")
		var saved string
		var rows int
		b.run(t, "create a list",
			chromedp.SendKeys(chromedp.CSS(`#list-form input[name=title]`), "开办企业一件事"),
			chromedp.SendKeys(chromedp.CSS(`#list-add input[name=q]`), "企业"),
			chromedp.Click(chromedp.CSS(`#list-add button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#list-found li button`)),
			chromedp.Click(chromedp.CSS(`#list-found li:nth-child(1) button`)),
			chromedp.Click(chromedp.CSS(`#list-found li:nth-child(2) button`)),
			chromedp.Click(chromedp.CSS(`#list-save`)),
			poll(`location.hash === "#/lists/230100/yijianshi-kaiban"`), ready("lists/230100/yijianshi-kaiban"),
			text(`#list-entries`, &saved), eval(`document.querySelectorAll("#list-entries tr[data-code]").length`, &rows))
		d := b.s.MustDo(t, admin, `{resource(kind:"ServiceList",tenant:"230100",name:"yijianshi-kaiban"){spec}}`, nil)
		spec := fmt.Sprint(d["resource"])
		if !strings.Contains(spec, "开办企业一件事") || rows != 2 || strings.Count(saved, "企业") < 2 {
			t.Errorf("the new list is %s, shown %q", spec, saved)
		}
		// A title too short for the kind's schema is refused at its path.
		var refusal string
		b.run(t, "refused title",
			js(`document.querySelector("#list-form input[name=title]").value = "一"`),
			chromedp.Click(chromedp.CSS(`#list-save`)),
			chromedp.WaitVisible(chromedp.CSS(`#list-status .error`)),
			text(`#list-status`, &refusal))
		if !strings.Contains(refusal, "VALIDATION_FAILED") || !strings.Contains(refusal, "/spec/title") {
			t.Errorf("a one-character title is refused with %q", refusal)
		}
		var after string
		b.run(t, "delete it",
			js(`window.confirm = () => true`),
			chromedp.Click(chromedp.CSS(`#list-delete`)),
			poll(`location.hash === "#/lists/230100"`), ready("lists/230100"),
			text(`#service-lists`, &after))
		if strings.Contains(after, "开办企业一件事") || !strings.Contains(after, "办事不求人") {
			t.Errorf("after deleting the new list the lists are %q", after)
		}
	})

	step(t, "online rate", func(t *testing.T) {
		b.goTo(t, "rate/230100")
		var total string
		var dots, bars, rows int
		b.run(t, "charts",
			text(`#rate-total`, &total),
			eval(`document.querySelectorAll("#rate-by-month circle.dot").length`, &dots),
			eval(`document.querySelectorAll("#rate-by-tenant rect.bar").length`, &bars),
			eval(`document.querySelectorAll("#rate-table tr[data-tenant]").length`, &rows))
		rate := b.s.MustDo(t, admin, `{onlineRate(tenant:"230100",from:"2020-01",to:"2020-12"){cases online}}`, nil)["onlineRate"].([]any)[0].(map[string]any)
		want := fmt.Sprintf("办件 %d 件，网上办理 %d 件", int(rate["cases"].(float64)), int(rate["online"].(float64)))
		if !strings.Contains(total, want) || dots != 12 || bars < 10 || bars != rows {
			t.Errorf("rate page: %q (want %q), %d month dots, %d bars, %d rows", total, want, dots, bars, rows)
		}
		b.shot(t, "online-rate")
		var title, tabs string
		b.run(t, "in English",
			switchLanguage("en"),
			poll(`document.documentElement.lang === "en" && (document.querySelector("main h2") || {}).textContent === "Online rate 2020"`),
			text(`main h2`, &title), text(`#catalog-tabs`, &tabs))
		if !strings.Contains(tabs, "Implementation list") || strings.Contains(tabs, "实施清单") {
			t.Errorf("in English the rate page is titled %q, tabs %q", title, tabs)
		}
		b.run(t, "back to Chinese",
			switchLanguage("zh-CN"),
			poll(`document.documentElement.lang === "zh-CN"`))
	})

	step(t, "dashboard", func(t *testing.T) {
		b.goTo(t, "dashboard")
		var levels, types, changes int
		var rate string
		b.run(t, "charts",
			eval(`document.querySelectorAll("#dash-tenants rect.bar").length`, &levels),
			eval(`document.querySelectorAll("#dash-items rect.bar").length`, &types),
			eval(`document.querySelectorAll("#dash-changes rect.bar").length`, &changes),
			eval(`document.querySelector("#dash-rate svg title").textContent`, &rate))
		if levels != 4 || types != 11 || changes == 0 || rate == "" {
			t.Errorf("dashboard: %d level bars, %d type bars, %d change bars, rate chart %q", levels, types, changes, rate)
		}
		// Tall enough for all five charts in the screenshot.
		b.run(t, "tall", chromedp.EmulateViewport(1280, 1240))
		b.shot(t, "dashboard")
		b.run(t, "back", chromedp.EmulateViewport(1280, 900))
	})

	step(t, "a reader of tenants sees only their part", func(t *testing.T) {
		b.signInAsReader(t, admin, reader{user: "tree.reader", home: "230000", role: "tree-reader", roleTenant: "230000",
			binding: "tree-reader", bindAt: "230000", reads: []string{"tenants"}})
		var nav string
		var cards []string
		b.run(t, "nav", text(`#nav`, &nav))
		if strings.Contains(nav, "事项目录") {
			t.Errorf("a reader of tenants is offered the catalog: %q", nav)
		}
		b.goTo(t, "dashboard")
		var errs int
		b.run(t, "dashboard", eval(`[...document.querySelectorAll(".dash-card")].map(c => c.id)`, &cards),
			eval(`document.querySelectorAll("main .error").length`, &errs))
		if !slices.Contains(cards, "dash-tenants") || slices.Contains(cards, "dash-items") || slices.Contains(cards, "dash-rate") || errs != 0 {
			t.Errorf("a reader of tenants sees the cards %v and %d errors", cards, errs)
		}
		// Asked for anyway, the catalog shows the server's refusal.
		var refusal string
		b.goTo(t, "catalog/230100")
		b.run(t, "refused catalog", eval(`[...document.querySelectorAll("main .error")].map(e => e.textContent).join(" | ")`, &refusal))
		if !strings.Contains(refusal, "FORBIDDEN") || !strings.Contains(refusal, "may not read ServiceItem at tenant 230100") {
			t.Errorf("a reader of tenants opening the catalog sees %q", refusal)
		}
	})
}

// BenchmarkCatalogPages is BenchmarkPages for the catalog's pages, on the Harbin
// demo catalog (newBrowser's kernel has no modules):
//
//	go test ./console/ -run '^$' -bench CatalogPages -benchtime 10x
func BenchmarkCatalogPages(b *testing.B) {
	br, demo := newCatalogBrowser(b)
	br.signIn(b, kerneltest.SecurityAdmin)
	var code string
	for _, im := range demo.Implementations {
		if im.Metadata.Tenant == "230100" {
			code = im.Metadata.Name
			break
		}
	}
	for n, route := range []string{
		"catalog/230000",
		"catalog/230000?search=许可",
		"implementations/230102",
		"implementations/230100?q=营业执照",
		"implementations/230100/" + code,
		"devolve/230100",
		"devolutions/230100",
		"guide/230102/" + code,
		"lists/230100",
		"lists/230100/banshi-buqiuren-1",
		"rate/230100",
		"dashboard",
		"dashboard?tenant=230100",
	} {
		path := strings.SplitN(route, "?", 2)[0]
		b.Run(strings.NewReplacer("/", "_", "?", "_", "=", "_").Replace(route), func(b *testing.B) {
			i := 0
			for b.Loop() {
				i++
				br.run(b, "load "+route, chromedp.Navigate(fmt.Sprintf("%s/?load=%d.%d#/%s", br.s.URL, n, i, route)), ready(path))
			}
		})
	}
}
