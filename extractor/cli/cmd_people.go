package cli

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
	"github.com/activity-monitoring/terraform-provider-activity/extractor/internal/people"
)

type peopleOptions struct {
	oktaOrg        string
	oktaApp        string
	oktaExport     string
	writeExport    string
	oktaAccounts   []string
	ssoAssignments string
	list           bool
}

func newPeopleCommand(g *globalOptions) *cobra.Command {
	var opts peopleOptions
	cmd := &cobra.Command{
		Use:   "people",
		Short: "Load which roles each Okta or IAM Identity Center user may assume",
		Long: `people loads the entitlements of people who sign in through an identity provider
instead of holding IAM users: which IAM roles each may assume. The score step gives
each person (principal okta:LOGIN or sso:USERNAME, found by login in reports and in
the Terraform data sources) the union of the grants of those roles, and credits them
with what the role sessions they were issued did.

From Okta, the users assigned to the AWS Account Federation app, directly or through
groups, with the roles of the assignment (samlRoles): either from Okta's management
API (--okta-org and --okta-app; credentials from the environment only:
OKTA_API_TOKEN, or OKTA_CLIENT_ID with OKTA_PRIVATE_KEY or OKTA_PRIVATE_KEY_FILE for
an API service app), or from an export file (--okta-export) that
--write-okta-export writes. Without a source flag, the Okta org and app come from the
integrations' okta_org_url and okta_app_id, and bare role names refer to those
integrations' accounts. A role may be named by ARN, by "PROVIDER_ARN,ROLE_ARN",
or by name: names resolve to the roles discovery found, limited to --okta-account
when given.

From IAM Identity Center, a file (--sso-assignments) holding the AWS CLI's answers
under their own keys: "Users" (identitystore list-users), "Groups" and
"GroupMemberships" (identitystore list-groups, list-group-memberships),
"PermissionSets" (sso-admin describe-permission-set, as a list) and
"AccountAssignments" (sso-admin list-account-assignments). A permission set is the
AWSReservedSSO_NAME_* role of each account, as discovery found it: run discover
first.

Each source replaces what an earlier load of the same source stored; --list prints
what is stored, alone when no source is set. Credentials are never written to the
database or to logs. Exit status 3 when some role assignments name no role known.`,
		Example: `  OKTA_API_TOKEN=... activity-extractor people --okta-org https://example.okta.com --okta-app 0oa1abcd
  activity-extractor people --okta-export okta.json --okta-account 111111111111
  activity-extractor people --sso-assignments sso.json --list`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runPeople(cmd, g, opts) },
	}
	f := cmd.Flags()
	f.StringVar(&opts.oktaOrg, "okta-org", os.Getenv("OKTA_ORG_URL"), "Okta org URL, https://ORG.okta.com (env OKTA_ORG_URL)")
	f.StringVar(&opts.oktaApp, "okta-app", os.Getenv("OKTA_APP_ID"), "id of the Okta AWS Account Federation app (env OKTA_APP_ID)")
	f.StringVar(&opts.oktaExport, "okta-export", "", "read the Okta users and assignments from this export file instead of the API")
	f.StringVar(&opts.writeExport, "write-okta-export", "", "also write what was read from the Okta API to this file")
	f.StringArrayVar(&opts.oktaAccounts, "okta-account", nil, "account whose roles bare Okta role names refer to (repeatable)")
	f.StringVar(&opts.ssoAssignments, "sso-assignments", "", "IAM Identity Center users, groups, permission sets and account assignments (JSON)")
	f.BoolVar(&opts.list, "list", false, "print every person's roles after loading")
	return cmd
}

func runPeople(cmd *cobra.Command, g *globalOptions, opts peopleOptions) error {
	ctx := cmd.Context()
	fromAPI := opts.oktaExport == "" && (opts.oktaOrg != "" || opts.oktaApp != "")
	if opts.oktaExport != "" && opts.writeExport != "" {
		return usagef("--write-okta-export writes what the Okta API returned; it does not apply with --okta-export")
	}
	if fromAPI && (opts.oktaOrg == "" || opts.oktaApp == "") {
		return usagef("the Okta API needs both --okta-org and --okta-app")
	}
	for _, a := range opts.oktaAccounts {
		if !activity.IsAccountID(a) {
			return usagef("--okta-account %q is not a 12-digit account id", a)
		}
	}
	db, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if !fromAPI && opts.oktaExport == "" && opts.ssoAssignments == "" {
		// The integrations' okta_org_url and okta_app_id, when they agree.
		ins, err := db.Integrations(ctx)
		if err != nil {
			return err
		}
		var accounts []string
		for _, in := range ins {
			if in.OktaOrgURL == "" {
				continue
			}
			org := strings.TrimRight(in.OktaOrgURL, "/")
			if opts.oktaOrg != "" && (org != opts.oktaOrg || in.OktaAppID != opts.oktaApp) {
				return usagef("integrations name several Okta apps (%s %s, %s %s): load each with --okta-org and --okta-app",
					opts.oktaOrg, opts.oktaApp, in.OktaOrgURL, in.OktaAppID)
			}
			opts.oktaOrg, opts.oktaApp = org, in.OktaAppID
			accounts = append(accounts, in.AccountID)
		}
		if opts.oktaOrg == "" && !opts.list {
			return usagef("name a source: --okta-org with --okta-app, --okta-export, or --sso-assignments " +
				"(or set okta_org_url and okta_app_id on an activity_monitoring_integration)")
		}
		fromAPI = opts.oktaOrg != ""
		if len(opts.oktaAccounts) == 0 {
			opts.oktaAccounts = accounts
		}
	}
	out := cmd.OutOrStdout()
	var x *people.OktaExport
	switch {
	case fromAPI:
		c, err := people.NewOktaClient(opts.oktaOrg, os.Getenv)
		if err != nil {
			return err
		}
		g.logger.Info("reading Okta", "org", c.Org.Host, "app", opts.oktaApp)
		if x, err = c.Fetch(ctx, opts.oktaApp); err != nil {
			return err
		}
		g.logger.Info("read Okta", "requests", c.Requests, "rate_limit_waits", c.Throttled)
		if opts.writeExport != "" {
			if err := people.WriteOktaExport(opts.writeExport, x); err != nil {
				return err
			}
		}
	case opts.oktaExport != "":
		if x, err = people.ReadOktaExport(opts.oktaExport); err != nil {
			return err
		}
	}
	unresolved, skipped := 0, 0
	if x != nil {
		n, err := people.LoadOkta(ctx, db, x, opts.oktaAccounts)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "okta: %d people, %d roles, %d assignments\n", n.People, n.Roles, n.Assignments)
		for _, r := range n.Unresolved {
			fmt.Fprintf(g.streams.Err, "okta: role %s matches no role discovery found; give --okta-account or run discover\n", sentence(r))
		}
		for _, r := range n.Skipped {
			fmt.Fprintf(g.streams.Err, "okta: skipped %s\n", sentence(r))
		}
		unresolved += len(n.Unresolved)
		skipped += len(n.Skipped)
	}
	if opts.ssoAssignments != "" {
		sx, err := people.ReadSSOAssignments(opts.ssoAssignments)
		if err != nil {
			return err
		}
		n, err := people.LoadSSO(ctx, db, sx)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "sso: %d people, %d roles, %d assignments\n", n.People, n.Roles, n.Assignments)
		for _, r := range n.Unresolved {
			account, set, _ := strings.Cut(r, ":")
			fmt.Fprintf(g.streams.Err, "sso: permission set %s has no AWSReservedSSO_%s_* role in account %s; run discover for that account\n",
				sentence(set), sentence(set), sentence(account))
		}
		for _, r := range n.Skipped {
			fmt.Fprintf(g.streams.Err, "sso: skipped %s\n", sentence(r))
		}
		unresolved += len(n.Unresolved)
		skipped += len(n.Skipped)
	}
	if opts.list {
		as, err := db.PersonAssignments(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "PERSON\tROLE\tSOURCE\tVIA")
		for _, a := range as {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", cell(a.Person), cell(a.Role), a.Source, cell(a.Via))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if skipped > 0 {
		return fmt.Errorf("%d people skipped and %d role assignments not resolved (listed above): %w", skipped, unresolved, ErrSkippedInputs)
	}
	if unresolved > 0 {
		return fmt.Errorf("%d role assignments could not be resolved (listed above): %w", unresolved, ErrSkippedInputs)
	}
	return nil
}
