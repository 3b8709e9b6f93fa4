package cloudtrail

import (
	"reflect"
	"sort"
	"strings"
	"testing"
)

// TestScanTablesMatchRecord checks that the scanner's tables name exactly
// the fields the types declare.
func TestScanTablesMatchRecord(t *testing.T) {
	tables := map[reflect.Type][]string{
		reflect.TypeFor[Record]():            keys(recordFields),
		reflect.TypeFor[UserIdentity]():      keys(userIdentityFields),
		reflect.TypeFor[SessionContext]():    keys(sessionContextFields),
		reflect.TypeFor[SessionIssuer]():     keys(sessionIssuerFields),
		reflect.TypeFor[RequestParameters](): keys(requestParametersFields),
		reflect.TypeFor[ResponseElements]():  keys(responseElementsFields),
		reflect.TypeFor[AssumedRoleUser]():   keys(assumedRoleUserFields),
		reflect.TypeFor[KeyMetadata]():       keys(keyMetadataFields),
		reflect.TypeFor[ResourceRef]():       keys(resourceRefFields),
	}
	for _, typ := range structsIn(reflect.TypeFor[Record]()) {
		if _, ok := tables[typ]; !ok {
			t.Errorf("%s: no table", typ.Name())
		}
	}
	for typ, table := range tables {
		var declared []string
		for f := range typ.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			declared = append(declared, lowerASCII(name))
		}
		sort.Strings(declared)
		if !reflect.DeepEqual(declared, table) {
			t.Errorf("%s: fields %v, the scanner's table %v", typ.Name(), declared, table)
		}
	}
}

func keys[T any](set *fieldSet[T]) []string {
	var out []string
	for _, entries := range set.byLen {
		for _, e := range entries {
			out = append(out, e.name)
		}
	}
	sort.Strings(out)
	return out
}

// structsIn lists typ and the struct types its fields hold.
func structsIn(typ reflect.Type) []reflect.Type {
	out := []reflect.Type{typ}
	for f := range typ.Fields() {
		t := f.Type
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() == reflect.Struct {
			out = append(out, structsIn(t)...)
		}
	}
	return out
}
