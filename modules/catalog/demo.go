package catalog

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/gdbos/gdbos/core/resource"
	"github.com/gdbos/gdbos/core/store/ent"
)

// DemoSize says how large a generated catalog is. The defaults follow the Harbin
// report (domain/STANDARDS.md): 3,086 standardised items in 11 categories, 13,000+
// implementations across the city and its 18 districts and counties, 764
// departments and streets.
type DemoSize struct {
	Items int
	// CityShare and CountyShare are the shares of items the city, and each county,
	// implement.
	CityShare, CountyShare float64
}

// DefaultDemo is the report's scale.
var DefaultDemo = DemoSize{Items: 3086, CityShare: 0.8, CountyShare: 0.31}

// demoCity is the city the demo implements items in.
const demoCity = "230100"

// Demo is a generated catalog: the items of the basic catalog at the province and
// the implementations of the city and its counties, ready to apply.
type Demo struct {
	Items           []resource.Object
	Implementations []resource.Object
	// Bodies are the implementing departments and streets.
	Bodies []Body
	// Lists are the city's four batches of 办事不求人 lists.
	Lists []resource.Object
}

// Body is an implementing department or street.
type Body struct {
	Tenant, Name, CreditCode, Department string
}

type domain struct {
	dept    string
	objects []string
}

// domains are the city's departments and what their items are about.
var domains = []domain{
	{"市场监督管理局", []string{"企业", "个体工商户", "农民专业合作社", "食品经营", "食品生产", "药品零售", "医疗器械经营", "特种设备", "计量器具", "广告发布", "网络交易", "商标质押"}},
	{"住房和城乡建设局", []string{"建筑工程施工", "建筑业企业资质", "房地产开发企业资质", "商品房预售", "城市建筑垃圾处置", "燃气经营", "物业服务", "建设工程消防设计", "城市房屋拆迁", "园林绿化工程"}},
	{"人力资源和社会保障局", []string{"城乡居民基本养老保险", "失业保险金", "工伤保险", "职业技能鉴定", "人力资源服务", "劳务派遣经营", "就业创业证", "职称评审", "社会保障卡", "劳动用工备案"}},
	{"医疗保障局", []string{"基本医疗保险参保", "异地就医备案", "门诊慢特病待遇", "生育保险待遇", "医疗费用报销", "定点医药机构", "医保关系转移"}},
	{"公安局", []string{"居民身份证", "户口迁移", "居住证", "机动车登记", "驾驶证", "出入境证件", "剧毒化学品购买", "保安服务公司", "典当业特种行业", "旅馆业特种行业"}},
	{"民政局", []string{"婚姻登记", "社会团体", "民办非企业单位", "最低生活保障", "特困人员供养", "养老机构", "殡葬服务", "地名命名", "慈善组织", "临时救助"}},
	{"交通运输局", []string{"道路旅客运输经营", "道路货物运输经营", "出租汽车经营", "机动车维修经营", "公路超限运输", "港口经营", "网络预约出租汽车", "城市公共汽车客运"}},
	{"生态环境局", []string{"排污许可", "建设项目环境影响评价", "危险废物经营", "辐射安全", "环境监测", "固体废物跨省转移"}},
	{"自然资源和规划局", []string{"建设用地规划", "建设工程规划", "乡村建设规划", "不动产登记", "采矿权", "探矿权", "测绘资质", "土地复垦"}},
	{"卫生健康委员会", []string{"医疗机构执业", "医师执业注册", "护士执业注册", "放射诊疗", "母婴保健技术服务", "公共场所卫生", "生活饮用水供水单位卫生", "出生医学证明"}},
	{"教育局", []string{"民办学校办学", "教师资格认定", "校外培训机构", "学生资助", "中小学学籍", "学历证明"}},
	{"文化广电和旅游局", []string{"营业性演出", "娱乐场所经营", "旅行社设立", "互联网上网服务营业场所", "广播电视节目制作经营", "文物保护单位修缮", "导游证"}},
	{"农业农村局", []string{"农药经营", "兽药经营", "种子生产经营", "动物防疫条件", "渔业捕捞", "拖拉机和联合收割机登记", "农村土地承包经营权"}},
	{"水务局", []string{"取水", "河道管理范围内建设项目", "水土保持方案", "城市排水", "占用农业灌溉水源"}},
	{"商务局", []string{"对外贸易经营者备案", "成品油零售经营", "单用途商业预付卡", "报废机动车回收拆解", "二手车交易市场"}},
	{"城市管理局", []string{"城市道路占用", "户外广告设施设置", "城市绿地占用", "生活垃圾经营性清扫收集运输", "市政设施建设类审批", "临时建筑物搭建"}},
	{"应急管理局", []string{"危险化学品经营", "安全生产许可", "烟花爆竹经营", "非煤矿山安全", "生产安全事故应急预案备案"}},
	{"林业和草原局", []string{"林木采伐", "林草种子生产经营", "使用林地", "野生动物人工繁育", "植物检疫证书"}},
	{"司法局", []string{"律师执业", "基层法律服务工作者执业", "法律援助", "公证员执业", "司法鉴定人执业", "人民调解"}},
	{"退役军人事务局", []string{"退役士兵安置", "优抚对象抚恤", "烈士褒扬", "退役军人就业创业扶持"}},
	{"体育局", []string{"高危险性体育项目经营", "体育类民办非企业单位", "社会体育指导员"}},
	{"工业和信息化局", []string{"民用爆炸物品", "无线电频率使用", "墙体材料专项基金", "固定资产投资项目节能审查"}},
	{"发展和改革委员会", []string{"企业投资项目核准", "企业投资项目备案", "政府定价", "粮食收购资格"}},
	{"住房公积金管理中心", []string{"住房公积金缴存", "住房公积金提取", "住房公积金贷款", "住房公积金账户转移"}},
	{"残疾人联合会", []string{"残疾人证", "残疾人就业保障金", "残疾儿童康复救助"}},
	{"消防救援支队", []string{"公众聚集场所投入使用营业前消防安全检查", "消防产品", "大型群众性活动消防安全"}},
	{"地方金融监督管理局", []string{"小额贷款公司", "融资担保公司", "典当行", "地方金融组织"}},
	{"科学技术局", []string{"高新技术企业", "科技型中小企业", "技术合同登记", "科技成果登记"}},
	{"统计局", []string{"统计调查项目", "统计执法检查", "统计登记"}},
	{"档案局", []string{"档案查询", "档案出境", "重点建设项目档案验收"}},
	{"气象局", []string{"雷电防护装置设计审核", "施放气球活动", "气象信息服务"}},
	{"人民防空办公室", []string{"人防工程建设", "防空地下室易地建设", "人防警报设施拆除"}},
	{"民族宗教事务局", []string{"宗教活动场所", "宗教教职人员备案", "清真食品"}},
	{"财政局", []string{"会计代理记账", "政府采购代理", "非税收入票据"}},
}

// typeForms are, per item type, its share (out of 100) and name patterns.
var typeForms = []struct {
	code  string
	share int
	forms []string
}{
	{"01", 30, []string{"%s许可", "%s许可证核发", "%s设立审批", "%s资质认定"}},
	{"02", 7, []string{"对%s违法行为的处罚", "对未经许可从事%s的处罚"}},
	{"03", 3, []string{"对%s的查封扣押", "%s强制措施"}},
	{"04", 3, []string{"%s费征收"}},
	{"05", 5, []string{"%s待遇给付", "%s补贴发放"}},
	{"06", 6, []string{"%s监督检查", "对%s的行政检查"}},
	{"07", 12, []string{"%s登记", "%s认定", "%s备案"}},
	{"08", 2, []string{"%s表彰奖励"}},
	{"09", 1, []string{"%s争议裁决"}},
	{"10", 6, []string{"%s年检", "%s核准"}},
	{"20", 25, []string{"%s查询", "%s办理", "%s咨询服务", "%s证明开具"}},
}

// GenerateDemo returns the deterministic demo catalog of that size at the city's
// tenants; names gives their names (道里区) for the bodies' names, the code where
// it has none.
func GenerateDemo(size DemoSize, tenants []string, names map[string]string) Demo {
	nameOf := func(code string) string {
		if n := names[code]; n != "" {
			return n
		}
		return code
	}
	rng := rand.New(rand.NewPCG(2020, 764))
	var d Demo
	deptCode := func(i int) string { return fmt.Sprintf("%s-d%02d", demoCity, i) }
	cityBodies := make([]Body, len(domains))
	for i, dm := range domains {
		cityBodies[i] = Body{Tenant: demoCity, Name: "哈尔滨市" + dm.dept, CreditCode: GovernmentCreditCode(demoCity, 1000+i), Department: deptCode(i)}
	}
	d.Bodies = append(d.Bodies, cityBodies...)
	countyBodies := map[string][]Body{}
	for ti, t := range tenants {
		for i, dm := range domains[:30] {
			b := Body{Tenant: t, Name: nameOf(t) + dm.dept, CreditCode: GovernmentCreditCode(t, 2000+ti*100+i), Department: fmt.Sprintf("%s-d%02d", t, i)}
			countyBodies[t] = append(countyBodies[t], b)
			d.Bodies = append(d.Bodies, b)
		}
	}
	// Streets (街道) make up the report's 764 departments and streets.
	for i := 0; len(d.Bodies) < 764 && len(tenants) > 0; i++ {
		t := tenants[i%len(tenants)]
		d.Bodies = append(d.Bodies, Body{Tenant: t, Name: fmt.Sprintf("%s第%d街道办事处", nameOf(t), i/len(tenants)+1),
			CreditCode: GovernmentCreditCode(t, 5000+i), Department: fmt.Sprintf("%s-s%03d", t, i/len(tenants)+1)})
	}
	seen := map[string]bool{}
	seq := 0
	for len(d.Items) < size.Items {
		di := rng.IntN(len(domains))
		dm := domains[di]
		tf := pickType(rng)
		obj := dm.objects[rng.IntN(len(dm.objects))]
		name := fmt.Sprintf(tf.forms[rng.IntN(len(tf.forms))], obj)
		if seen[name] {
			name = fmt.Sprintf("%s（%s）", name, variants[rng.IntN(len(variants))])
			if seen[name] {
				continue
			}
		}
		seen[name] = true
		seq++
		code := fmt.Sprintf("%s%03d%05d00", tf.code, di, seq)
		tiers := []any{"city", "county"}
		switch r := rng.Float64(); {
		case r < 0.25:
			tiers = []any{"city"}
		case r < 0.45:
			tiers = []any{"county"}
		}
		item := resource.Object{APIVersion: resource.DefaultAPIVersion, Kind: KindItem,
			Metadata: resource.Metadata{Tenant: "230000", Name: code},
			Spec: map[string]any{"code": code, "name": name, "type": tf.code, "category": dm.dept, "level": "main",
				"legalBasis": []any{map[string]any{"law": lawFor(dm.dept), "article": fmt.Sprintf("第%d条", 3+rng.IntN(60))}},
				"tiers":      tiers, "serviceObject": []any{serviceObject(rng)}},
			Locks: slices.Clone(DefaultLockedFields)}
		d.Items = append(d.Items, item)
		if slices.Contains(tiers, any("city")) && rng.Float64() < size.CityShare {
			d.Implementations = append(d.Implementations, demoImplementation(rng, demoCity, code, name, obj, cityBodies[di], tf.code))
		}
		if slices.Contains(tiers, any("county")) && di < 30 {
			for _, t := range tenants {
				if rng.Float64() < size.CountyShare {
					d.Implementations = append(d.Implementations, demoImplementation(rng, t, code, name, obj, countyBodies[t][di], tf.code))
				}
			}
		}
	}
	d.Lists = demoLists(rng, d)
	return d
}

// demoLists are the report's four batches of 办事不求人 lists, 861 items in all,
// drawn from the items the city implements.
func demoLists(rng *rand.Rand, d Demo) []resource.Object {
	var city []string
	for _, im := range d.Implementations {
		if im.Metadata.Tenant == demoCity {
			city = append(city, im.Metadata.Name)
		}
	}
	rng.Shuffle(len(city), func(i, j int) { city[i], city[j] = city[j], city[i] })
	sizes := []int{200, 215, 216, 230}
	var out []resource.Object
	at := 0
	for b, n := range sizes {
		if at+n > len(city) {
			break
		}
		items := make([]any, n)
		for i, code := range city[at : at+n] {
			items[i] = code
		}
		at += n
		out = append(out, resource.Object{APIVersion: resource.DefaultAPIVersion, Kind: KindList,
			Metadata: resource.Metadata{Tenant: demoCity, Name: fmt.Sprintf("banshi-buqiuren-%d", b+1)},
			Spec: map[string]any{"title": fmt.Sprintf("哈尔滨市“办事不求人”清单（第%d批）", b+1), "batch": b + 1,
				"publishedAt": fmt.Sprintf("2020-%02d-01", 3+b), "items": items}})
	}
	return out
}

var variants = []string{"新办", "变更", "延续", "注销", "补办", "迁入", "迁出", "首次"}

func pickType(rng *rand.Rand) struct {
	code  string
	share int
	forms []string
} {
	n := rng.IntN(100)
	for _, tf := range typeForms {
		if n < tf.share {
			return tf
		}
		n -= tf.share
	}
	return typeForms[len(typeForms)-1]
}

func lawFor(dept string) string {
	return "《黑龙江省" + dept + "行政权力事项实施办法》"
}

func serviceObject(rng *rand.Rand) string {
	return []string{"person", "enterprise", "organisation"}[rng.IntN(3)]
}

func demoImplementation(rng *rand.Rand, tenantCode, code, name, obj string, b Body, typ string) resource.Object {
	statutory := []int{0, 5, 10, 15, 20, 30}[rng.IntN(6)]
	promised := 0
	processing := "immediate"
	if statutory > 0 {
		processing = "promised"
		promised = 1 + rng.IntN(statutory)
	}
	visits := 0
	if rng.Float64() < 0.2 {
		visits = 1
	}
	spec := map[string]any{
		"implementingBody": map[string]any{"name": b.Name, "creditCode": b.CreditCode, "department": b.Department, "nature": "statutory"},
		"conditions":       []any{"申请人具有完全民事行为能力", "符合" + obj + "相关法律法规和技术规范的要求", "申请材料齐全、符合法定形式"},
		"materials": []any{
			map[string]any{"name": name + "申请表", "documentType": "申请表", "copies": 1, "original": true, "required": true},
			map[string]any{"name": "申请人身份证明", "standard": "居民身份证号码", "copies": 1, "required": true},
			map[string]any{"name": materialFor(typ, obj), "documentType": "证明材料", "copies": 1, "required": rng.IntN(2) == 0},
		},
		"process":       []any{map[string]any{"step": "申请"}, map[string]any{"step": "受理"}, map[string]any{"step": "审查"}, map[string]any{"step": "决定"}, map[string]any{"step": "送达"}},
		"statutoryDays": statutory, "promisedDays": promised, "processing": processing,
		"fees":  []any{},
		"place": b.Name + "政务服务窗口", "hours": "工作日 9:00-17:00",
		"consultation": []any{"0451-12345"}, "complaint": []any{"0451-12345"},
		"onlineURL": "https://zwfw.hlj.gov.cn/" + tenantCode + "/" + code,
		"visits":    visits,
	}
	return resource.Object{APIVersion: resource.DefaultAPIVersion, Kind: KindImplementation,
		Metadata: resource.Metadata{Tenant: tenantCode, Name: code}, Spec: spec}
}

func materialFor(typ, obj string) string {
	switch typ {
	case "01", "10":
		return obj + "场所使用证明"
	case "05", "20":
		return "户口簿或居住证"
	case "07":
		return obj + "相关证明文件"
	}
	return obj + "情况说明"
}

// demoBatch is how many objects one apply of the demo writes: each batch is all or
// nothing and re-applying a loaded batch changes nothing, so a load interrupted
// halfway resumes where it stopped.
const demoBatch = 1000

// LoadDemo applies the demo catalog unless it is already there: it enables the
// module at the province, applies the items, then the implementations, in batches.
func (c *Catalog) LoadDemo(ctx context.Context, size DemoSize) (int, error) {
	var n int
	if err := c.st.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM catalog_impls`).Scan(&n); err != nil {
		return 0, fmt.Errorf("catalog: demo: %w", err)
	}
	d := GenerateDemo(size, c.demoTenants(), c.demoNames())
	if n >= len(d.Implementations) {
		return 0, nil
	}
	enable := resource.Object{APIVersion: resource.DefaultAPIVersion, Kind: "Module",
		Metadata: resource.Metadata{Tenant: "230000", Name: "catalog"}, Spec: map[string]any{"enabled": true}}
	if _, err := c.res.Apply(ctx, "demo", []resource.Object{enable}, resource.ApplyOptions{}); err != nil {
		return 0, err
	}
	all := append(slices.Clone(d.Items), d.Implementations...)
	all = append(all, d.Lists...)
	for i := 0; i < len(all); i += demoBatch {
		if _, err := c.res.Apply(ctx, "demo", all[i:min(i+demoBatch, len(all))], resource.ApplyOptions{}); err != nil {
			return i, fmt.Errorf("catalog: demo batch at %d: %w", i, err)
		}
	}
	if err := c.seedCases(ctx, d); err != nil {
		return len(all), err
	}
	return len(all), nil
}

// seedCases emits a year of case events (2020) for the demo's implementations,
// about 80% online as in the report, through the same event contract the approval
// module uses.
func (c *Catalog) seedCases(ctx context.Context, d Demo) error {
	rng := rand.New(rand.NewPCG(2020, 80))
	return c.st.Tx(ctx, func(tx *ent.Tx) error {
		seq := map[string]int{}
		for i, im := range d.Implementations {
			if i%7 != 0 {
				continue
			}
			body, _ := im.Spec["implementingBody"].(map[string]any)
			t, _ := c.tenants.Get(im.Metadata.Tenant)
			digit := defaultTierDigits[string(t.Level)]
			ic, err := ImplementationCode(str(body["creditCode"]), digit[0], im.Metadata.Name)
			if err != nil {
				return err
			}
			for range 1 + rng.IntN(3) {
				day := time.Date(2020, time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 9, 0, 0, 0, time.UTC)
				key := ic + day.Format("20060102")
				seq[key]++
				channel := "window"
				if rng.Float64() < 0.8 {
					channel = "online"
				}
				ev := CaseSubmitted{CaseNumber: fmt.Sprintf("%s%04d", key, seq[key]), Code: im.Metadata.Name,
					Department: str(body["department"]), Channel: channel, SubmittedAt: day}
				if err := c.EmitCase(ctx, tx, im.Metadata.Tenant, ev); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// demoTenants are the city's counties.
func (c *Catalog) demoTenants() []string {
	var out []string
	for _, t := range c.tenants.Children(demoCity) {
		out = append(out, t.Code)
	}
	slices.Sort(out)
	return out
}

// demoNames are the names of the city's tenants by code.
func (c *Catalog) demoNames() map[string]string {
	out := map[string]string{}
	for _, t := range c.tenants.Children(demoCity) {
		out[t.Code] = t.Name
	}
	return out
}

// loadDemoInBackground loads the demo after the kernel started, so serving does
// not wait for it.
func (c *Catalog) loadDemoInBackground(ctx context.Context) {
	c.demoDone = make(chan struct{})
	go func() {
		defer close(c.demoDone)
		start := time.Now()
		n, err := c.LoadDemo(ctx, DefaultDemo)
		switch {
		case err != nil:
			c.log.Error("catalog demo load failed", slog.Any("err", err))
		case n > 0:
			c.log.Info("catalog demo loaded", slog.Int("objects", n), slog.Duration("took", time.Since(start)))
		}
	}()
}
