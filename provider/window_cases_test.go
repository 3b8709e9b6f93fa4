package provider

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity/windowcases"
)

// Every window_days attribute accepts exactly the window lengths of the
// shared table that the model accepts.
func TestWindowDaysReadTheWindowCases(t *testing.T) {
	cases, err := windowcases.Load(filepath.Join("..", "extractor", "activity", "testdata", "windows.json"))
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string]func() datasource.DataSource{
		"activity_monitoring_ops":        NewMonitoringOPSDataSource,
		"activity_monitoring_principals": NewMonitoringPrincipalsDataSource,
		"activity_monitoring_kms_key":    NewMonitoringKMSKeyDataSource,
	}
	tried := 0
	for name, newSource := range sources {
		var resp datasource.SchemaResponse
		newSource().Schema(context.Background(), datasource.SchemaRequest{}, &resp)
		attr, ok := resp.Schema.Attributes["window_days"].(schema.Int64Attribute)
		if !ok {
			t.Fatalf("%s has no window_days", name)
		}
		for _, c := range cases {
			days, ok := c.WindowDays()
			if !ok || !c.Valid && c.Rejected != "days" {
				continue
			}
			tried++
			errs := 0
			for _, v := range attr.Validators {
				var r validator.Int64Response
				v.ValidateInt64(context.Background(), validator.Int64Request{ConfigValue: types.Int64Value(int64(days))}, &r)
				errs += r.Diagnostics.ErrorsCount()
			}
			if accepted := errs == 0; accepted != c.Valid {
				t.Errorf("%s: window_days = %d accepted: %v; the case %q says valid: %v", name, days, accepted, c.Name, c.Valid)
			}
		}
	}
	if tried == 0 {
		t.Fatal("no case of the table gave a window_days")
	}
}
