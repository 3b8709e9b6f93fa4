package store

import (
	"context"
	"errors"
	"testing"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

func TestRulesLifecycle(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	r := Rule{Name: "kms-users", Description: "no IAM user above 80 on any KMS key", MaxOPS: f64(80),
		Kinds: []string{activity.KindIAMUser}, ResourceKinds: []string{activity.KindKMSKey}}
	if err := db.CreateRule(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateRule(ctx, r); !errors.Is(err, ErrExists) {
		t.Errorf("duplicate: err = %v", err)
	}
	got, err := db.Rule(ctx, "kms-users")
	if err != nil {
		t.Fatal(err)
	}
	if *got.MaxOPS != 80 || got.NoDormant || len(got.Accounts) != 0 || got.Kinds[0] != activity.KindIAMUser || got.ResourceKinds[0] != activity.KindKMSKey {
		t.Errorf("rule = %+v", got)
	}
	r.MaxOPS, r.NoDormant, r.Accounts = nil, true, []string{"111111111111"}
	if err := db.UpdateRule(ctx, r); err != nil {
		t.Fatal(err)
	}
	all, err := db.Rules(ctx)
	if err != nil || len(all) != 1 || all[0].MaxOPS != nil || !all[0].NoDormant || all[0].Accounts[0] != "111111111111" {
		t.Errorf("after update: %+v, %v", all, err)
	}
	if err := db.UpdateRule(ctx, Rule{Name: "missing", NoDormant: true}); !errors.Is(err, ErrNotFound) {
		t.Errorf("update missing: %v", err)
	}
	if err := db.CreateRule(ctx, Rule{Name: "empty"}); err == nil {
		t.Error("a rule with neither max_ops nor no_dormant was accepted")
	}
	if err := db.DeleteRule(ctx, "kms-users"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Rule(ctx, "kms-users"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
}
