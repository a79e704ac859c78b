package catalog

import (
	"reflect"
	"strings"
	"testing"
)

var harbinCounties = []string{"230102", "230103", "230104", "230108", "230109", "230110", "230111", "230112", "230113",
	"230123", "230124", "230125", "230126", "230127", "230128", "230129", "230183", "230184"}

func TestGenerateDemo(t *testing.T) {
	d := GenerateDemo(DefaultDemo, harbinCounties, nil)
	if len(d.Items) != 3086 || len(d.Implementations) < 13000 || len(d.Bodies) != 764 {
		t.Fatalf("items %d, implementations %d, bodies %d", len(d.Items), len(d.Implementations), len(d.Bodies))
	}
	types := map[string]int{}
	names := map[string]bool{}
	for _, it := range d.Items {
		types[it.Spec["type"].(string)]++
		n := it.Spec["name"].(string)
		if names[n] {
			t.Fatalf("name %s twice", n)
		}
		names[n] = true
		if err := CheckBasicCode(it.Metadata.Name); err != nil {
			t.Fatal(err)
		}
	}
	listed := 0
	for _, l := range d.Lists {
		listed += len(l.Spec["items"].([]any))
	}
	if len(d.Lists) != 4 || listed != 861 {
		t.Fatalf("%d lists, %d listed items", len(d.Lists), listed)
	}
	if len(types) != 11 {
		t.Fatalf("%d categories: %v", len(types), types)
	}
	seen := map[string]bool{}
	for _, im := range d.Implementations {
		key := im.Metadata.Tenant + "/" + im.Metadata.Name
		if seen[key] {
			t.Fatalf("%s twice", key)
		}
		seen[key] = true
		b := im.Spec["implementingBody"].(map[string]any)
		if _, err := ImplementationCode(b["creditCode"].(string), '4', im.Metadata.Name); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
	}
	if again := GenerateDemo(DefaultDemo, harbinCounties, nil); !reflect.DeepEqual(again.Items[:50], d.Items[:50]) || len(again.Implementations) != len(d.Implementations) {
		t.Fatal("the demo is not deterministic")
	}
	t.Logf("%d items, %d implementations, %d bodies, types %v", len(d.Items), len(d.Implementations), len(d.Bodies), types)
}

// TestGenerateDemoNamesBodies: bodies and streets carry their county's name, as a
// reader expects (道里区市场监督管理局, not 230102市场监督管理局).
func TestGenerateDemoNamesBodies(t *testing.T) {
	d := GenerateDemo(DefaultDemo, harbinCounties, map[string]string{"230102": "道里区"})
	var daoli, streets int
	for _, b := range d.Bodies {
		if b.Tenant != "230102" {
			continue
		}
		if !strings.HasPrefix(b.Name, "道里区") {
			t.Fatalf("a body of 230102 is named %q", b.Name)
		}
		daoli++
		if strings.Contains(b.Name, "街道办事处") {
			streets++
		}
	}
	if daoli == 0 || streets == 0 {
		t.Fatalf("230102 has %d bodies, %d streets", daoli, streets)
	}
}
