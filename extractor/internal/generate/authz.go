package generate

import (
	"sort"
	"time"

	"github.com/activity-monitoring/terraform-provider-activity/extractor/activity"
)

// The shapes of `aws iam get-account-authorization-details` output.
type authzDetails struct {
	UserDetailList  []userDetail   `json:"UserDetailList"`
	GroupDetailList []groupDetail  `json:"GroupDetailList"`
	RoleDetailList  []roleDetail   `json:"RoleDetailList"`
	Policies        []policyDetail `json:"Policies"`
}

type policyDoc struct {
	Version   string      `json:"Version"`
	Statement []statement `json:"Statement"`
}

type statement struct {
	Sid       string         `json:"Sid,omitempty"`
	Effect    string         `json:"Effect"`
	Principal map[string]any `json:"Principal,omitempty"`
	Action    any            `json:"Action"`
	Resource  any            `json:"Resource,omitempty"`
}

type inlinePolicy struct {
	PolicyName     string    `json:"PolicyName"`
	PolicyDocument policyDoc `json:"PolicyDocument"`
}

type attachedPolicy struct {
	PolicyName string `json:"PolicyName"`
	PolicyArn  string `json:"PolicyArn"`
}

type userDetail struct {
	Path                    string           `json:"Path"`
	UserName                string           `json:"UserName"`
	UserID                  string           `json:"UserId"`
	Arn                     string           `json:"Arn"`
	CreateDate              string           `json:"CreateDate"`
	UserPolicyList          []inlinePolicy   `json:"UserPolicyList"`
	GroupList               []string         `json:"GroupList"`
	AttachedManagedPolicies []attachedPolicy `json:"AttachedManagedPolicies"`
	Tags                    []any            `json:"Tags"`
}

type groupDetail struct {
	Path                    string           `json:"Path"`
	GroupName               string           `json:"GroupName"`
	GroupID                 string           `json:"GroupId"`
	Arn                     string           `json:"Arn"`
	CreateDate              string           `json:"CreateDate"`
	GroupPolicyList         []inlinePolicy   `json:"GroupPolicyList"`
	AttachedManagedPolicies []attachedPolicy `json:"AttachedManagedPolicies"`
}

type roleDetail struct {
	Path                     string           `json:"Path"`
	RoleName                 string           `json:"RoleName"`
	RoleID                   string           `json:"RoleId"`
	Arn                      string           `json:"Arn"`
	CreateDate               string           `json:"CreateDate"`
	AssumeRolePolicyDocument policyDoc        `json:"AssumeRolePolicyDocument"`
	InstanceProfileList      []any            `json:"InstanceProfileList"`
	RolePolicyList           []inlinePolicy   `json:"RolePolicyList"`
	AttachedManagedPolicies  []attachedPolicy `json:"AttachedManagedPolicies"`
	Tags                     []any            `json:"Tags"`
}

type policyVersion struct {
	Document         policyDoc `json:"Document"`
	VersionID        string    `json:"VersionId"`
	IsDefaultVersion bool      `json:"IsDefaultVersion"`
	CreateDate       string    `json:"CreateDate"`
}

type policyDetail struct {
	PolicyName                    string          `json:"PolicyName"`
	PolicyID                      string          `json:"PolicyId"`
	Arn                           string          `json:"Arn"`
	Path                          string          `json:"Path"`
	DefaultVersionID              string          `json:"DefaultVersionId"`
	AttachmentCount               int             `json:"AttachmentCount"`
	PermissionsBoundaryUsageCount int             `json:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool            `json:"IsAttachable"`
	CreateDate                    string          `json:"CreateDate"`
	UpdateDate                    string          `json:"UpdateDate"`
	PolicyVersionList             []policyVersion `json:"PolicyVersionList"`
}

// Managed policies of every account, and the group each profile joins.
const (
	policyDataRead      = "DataRead"
	policyDataReadWrite = "DataReadWrite"
	policyKeyUsers      = "KeyUsers"
	policySecretReaders = "SecretReaders"
)

// adminPolicyARN is AWS's managed AdministratorAccess policy.
var adminPolicyARN = activity.IAMARN("", "aws", "policy/AdministratorAccess")

var profileGroup = map[profile]string{
	reader: "data-readers", dormant: "data-readers", writer: "data-writers",
	crypto: "key-users", secrets: "secret-readers", admin: "administrators",
}

var groupPolicy = map[string]string{
	"data-readers": policyDataRead, "data-writers": policyDataReadWrite,
	"key-users": policyKeyUsers, "secret-readers": policySecretReaders,
}

func allow(actions []string, resources []string) statement {
	return statement{Effect: "Allow", Action: actions, Resource: resources}
}

func (a *account) managedPolicies() map[string]policyDoc {
	var buckets, objects, keys, secrets []string
	for _, b := range a.buckets {
		buckets = append(buckets, a.bucketARN(b))
		objects = append(objects, a.bucketARN(b)+"/*")
	}
	for _, k := range a.keys {
		keys = append(keys, a.keyARN(k))
	}
	for _, s := range a.secrets {
		secrets = append(secrets, a.secretARN(s))
	}
	return map[string]policyDoc{
		policyDataRead: {Version: "2012-10-17", Statement: []statement{
			allow([]string{"s3:ListBucket", "s3:GetBucketLocation"}, buckets),
			allow([]string{"s3:GetObject"}, objects),
		}},
		policyDataReadWrite: {Version: "2012-10-17", Statement: []statement{
			allow([]string{"s3:ListBucket", "s3:ListBucketMultipartUploads"}, buckets),
			allow([]string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"}, objects),
		}},
		policyKeyUsers: {Version: "2012-10-17", Statement: []statement{
			allow([]string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:DescribeKey"}, keys),
		}},
		policySecretReaders: {Version: "2012-10-17", Statement: []statement{
			allow([]string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds"}, secrets),
			allow([]string{"kms:Decrypt"}, keys),
		}},
	}
}

var adminDoc = policyDoc{Version: "2012-10-17", Statement: []statement{{Effect: "Allow", Action: "*", Resource: "*"}}}

func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// authorizationDetails describes the account's IAM as the AWS CLI prints it.
func (a *account) authorizationDetails(stableID func(string) string) authzDetails {
	created := isoTime(a.created)
	policyARN := func(name string) string { return activity.IAMARN("", a.id, "policy/"+name) }
	attachments := map[string]int{}
	var d authzDetails
	groups := map[string]bool{}
	for _, id := range a.identities {
		if id.kind != "IAMUser" {
			continue
		}
		u := userDetail{Path: "/", UserName: id.name, UserID: id.principalID, Arn: id.arn, CreateDate: created,
			UserPolicyList: []inlinePolicy{}, GroupList: []string{}, AttachedManagedPolicies: []attachedPolicy{}, Tags: []any{}}
		if id.profile == ownerReader {
			b := a.bucketARN(a.buckets[0])
			u.UserPolicyList = append(u.UserPolicyList, inlinePolicy{PolicyName: "OwnBucket", PolicyDocument: policyDoc{Version: "2012-10-17",
				Statement: []statement{{Sid: "OwnBucket", Effect: "Allow", Action: "s3:*", Resource: []string{b, b + "/*"}}}}})
		} else if g := profileGroup[id.profile]; g != "" {
			u.GroupList = append(u.GroupList, g)
			groups[g] = true
		}
		d.UserDetailList = append(d.UserDetailList, u)
	}
	names := make([]string, 0, len(groups))
	for g := range groups {
		names = append(names, g)
	}
	sort.Strings(names)
	for _, g := range names {
		gd := groupDetail{Path: "/", GroupName: g, GroupID: stableID("AGPA" + a.id + g), Arn: activity.IAMARN("", a.id, "group/"+g),
			CreateDate: created, GroupPolicyList: []inlinePolicy{}, AttachedManagedPolicies: []attachedPolicy{}}
		if p := groupPolicy[g]; p != "" {
			gd.AttachedManagedPolicies = append(gd.AttachedManagedPolicies, attachedPolicy{PolicyName: p, PolicyArn: policyARN(p)})
			attachments[p]++
		} else {
			gd.AttachedManagedPolicies = append(gd.AttachedManagedPolicies, attachedPolicy{PolicyName: "AdministratorAccess", PolicyArn: adminPolicyARN})
			attachments["AdministratorAccess"]++
		}
		d.GroupDetailList = append(d.GroupDetailList, gd)
	}
	for _, id := range a.identities {
		if id.kind != "AssumedRole" {
			continue
		}
		path := "/"
		trust := statement{Effect: "Allow", Principal: map[string]any{"AWS": activity.AccountRootARN("", a.id)}, Action: "sts:AssumeRole"}
		policy := policyDataReadWrite
		if id.profile == dormant {
			policy = policyDataRead
		}
		if id.person != "" {
			path = "/federated/"
			trust = statement{Effect: "Allow", Principal: map[string]any{"Federated": activity.IAMARN("", a.id, "saml-provider/Okta")}, Action: "sts:AssumeRoleWithSAML"}
			policy = policyDataRead
		}
		if scripted(id.profile) {
			// A kind worker: an inline policy on its one resource.
			d.RoleDetailList = append(d.RoleDetailList, roleDetail{Path: path, RoleName: id.roleName(), RoleID: id.principalID, Arn: id.arn, CreateDate: created,
				AssumeRolePolicyDocument: policyDoc{Version: "2012-10-17", Statement: []statement{trust}},
				InstanceProfileList:      []any{}, RolePolicyList: []inlinePolicy{{PolicyName: "Work", PolicyDocument: a.kindPolicy(kindWorkerOf(id.profile))}},
				AttachedManagedPolicies: []attachedPolicy{}, Tags: []any{}})
			continue
		}
		attachments[policy]++
		d.RoleDetailList = append(d.RoleDetailList, roleDetail{Path: path, RoleName: id.roleName(), RoleID: id.principalID, Arn: id.arn, CreateDate: created,
			AssumeRolePolicyDocument: policyDoc{Version: "2012-10-17", Statement: []statement{trust}},
			InstanceProfileList:      []any{}, RolePolicyList: []inlinePolicy{},
			AttachedManagedPolicies: []attachedPolicy{{PolicyName: policy, PolicyArn: policyARN(policy)}}, Tags: []any{}})
	}
	docs := a.managedPolicies()
	pnames := make([]string, 0, len(docs))
	for n := range docs {
		pnames = append(pnames, n)
	}
	sort.Strings(pnames)
	for _, n := range pnames {
		d.Policies = append(d.Policies, policyDetail{PolicyName: n, PolicyID: stableID("ANPA" + a.id + n), Arn: policyARN(n), Path: "/",
			DefaultVersionID: "v1", AttachmentCount: attachments[n], IsAttachable: true, CreateDate: created, UpdateDate: created,
			PolicyVersionList: []policyVersion{{Document: docs[n], VersionID: "v1", IsDefaultVersion: true, CreateDate: created}}})
	}
	if attachments["AdministratorAccess"] > 0 {
		d.Policies = append(d.Policies, policyDetail{PolicyName: "AdministratorAccess", PolicyID: "ANPAIWMBCKSKIEE64ZLYK", Arn: adminPolicyARN, Path: "/",
			DefaultVersionID: "v1", AttachmentCount: attachments["AdministratorAccess"], IsAttachable: true,
			CreateDate: "2015-02-06T18:39:46Z", UpdateDate: "2015-02-06T18:39:46Z",
			PolicyVersionList: []policyVersion{{Document: adminDoc, VersionID: "v1", IsDefaultVersion: true, CreateDate: "2015-02-06T18:39:46Z"}}})
	}
	return d
}
