package discover

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/store"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/testenv"
)

func TestDiscoverOrganizationPolicies(t *testing.T) {
	m := testenv.StartMoto(t)
	const region = "us-east-1"
	ctx := context.Background()
	cfg := m.Config(t, region)
	buildAccount(t, cfg)
	org := organizations.NewFromConfig(cfg)
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil || len(roots.Roots) != 1 {
		t.Fatalf("roots %+v, %v", roots, err)
	}
	p, err := org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("no-deletes"), Description: aws.String("guardrail"),
		Type: orgtypes.PolicyTypeServiceControlPolicy, Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Sid":"NoDeletes","Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: p.Policy.PolicySummary.Id, TargetId: roots.Roots[0].Id}); err != nil {
		t.Fatal(err)
	}
	a, err := FromAWS(ctx, cfg, AWSOptions{AccountID: acct, Regions: []string{region}, OrganizationPolicies: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, is := range a.Issues {
		t.Errorf("issue: %s: %s", is.Source, is.Message)
	}
	var names []string
	for _, l := range a.SCPs {
		names = append(names, l...)
	}
	if !strings.Contains(strings.Join(names, " "), aws.ToString(p.Policy.PolicySummary.Arn)) {
		t.Fatalf("SCP levels %v lack %s", a.SCPs, aws.ToString(p.Policy.PolicySummary.Arn))
	}
	db := openDB(t)
	if err := Store(ctx, db, []store.AccountEntitlements{a}); err != nil {
		t.Fatal(err)
	}
	if _, err := Evaluate(ctx, db); err != nil {
		t.Fatal(err)
	}
	grants, err := db.Grants(ctx, "arn:aws:iam::"+acct+":user/team/bob")
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range grants {
		if contains(g.Actions, "s3:DeleteObject") {
			t.Errorf("bob keeps s3:DeleteObject on %s despite the SCP", g.ResourceARN)
		}
		if g.ResourceARN == "arn:aws:s3:::other" && !contains(g.Actions, "s3:PutObject") {
			t.Errorf("the SCP took more than deletes: %v", g.Actions)
		}
	}
	if len(grants) == 0 {
		t.Fatal("bob has no grants left")
	}
}
